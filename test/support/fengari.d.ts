// The slice of fengari's C-style Lua API the ArgoCD health-check harness uses.
declare module 'fengari' {
  export type LuaState = { readonly __brand: 'lua_State' };
  export type LuaString = Uint8Array;
  export function to_luastring(s: string): LuaString;
  export function to_jsstring(s: LuaString): string;
  export const lua: {
    LUA_OK: number;
    LUA_TNIL: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    LUA_MULTRET: number;
    lua_pushnil: (L: LuaState) => void;
    lua_pushboolean: (L: LuaState, b: boolean) => void;
    lua_pushnumber: (L: LuaState, n: number) => void;
    lua_pushstring: (L: LuaState, s: LuaString) => void;
    lua_createtable: (L: LuaState, narr: number, nrec: number) => void;
    lua_setfield: (L: LuaState, index: number, key: LuaString) => void;
    lua_rawseti: (L: LuaState, index: number, i: number) => void;
    lua_setglobal: (L: LuaState, name: LuaString) => void;
    lua_getfield: (L: LuaState, index: number, key: LuaString) => number;
    lua_tojsstring: (L: LuaState, index: number) => string;
    lua_type: (L: LuaState, index: number) => number;
    lua_pcall: (L: LuaState, nargs: number, nresults: number, msgh: number) => number;
    lua_pop: (L: LuaState, n: number) => void;
    lua_settop: (L: LuaState, index: number) => void;
  };
  export const lauxlib: {
    luaL_newstate: () => LuaState;
    luaL_checkstack: (L: LuaState, space: number, message: null) => void;
    luaL_loadstring: (L: LuaState, s: LuaString) => number;
    luaL_requiref(L: LuaState, name: LuaString, open: (L: LuaState) => number, global: number): void;
  };
  export const lualib: {
    luaopen_base: (L: LuaState) => number;
    luaopen_string: (L: LuaState) => number;
    luaopen_table: (L: LuaState) => number;
    luaopen_math: (L: LuaState) => number;
  };
}
