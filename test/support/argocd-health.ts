import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lauxlib, lua, lualib, to_luastring, type LuaState } from 'fengari';
import { parse } from 'yaml';
import { ROOT } from '../../scripts/lib/paths.js';

// Runs the health checks of examples/gitops/bootstrap/argocd-cm.yaml the way ArgoCD does: the
// resource as the global `obj`, the script as a chunk whose return value is the health, and
// only the base, string, table and math libraries (ArgoCD's sandbox has no os or io).

export interface Health {
  status: string;
  message: string;
}

export const ARGOCD_CM = join(ROOT, 'examples', 'gitops', 'bootstrap', 'argocd-cm.yaml');

interface ConfigMap {
  data: Record<string, string>;
}

/** `group/kind` glob → health.lua, from argocd-cm's resource.customizations block. */
export function healthScripts(): Map<string, string> {
  const cm = parse(readFileSync(ARGOCD_CM, 'utf8')) as ConfigMap;
  const block = cm.data['resource.customizations'];
  if (!block) throw new Error('argocd-cm has no resource.customizations');
  const customizations = parse(block) as Record<string, { 'health.lua'?: string }>;
  const scripts = new Map<string, string>();
  for (const [key, value] of Object.entries(customizations)) if (value['health.lua']) scripts.set(key, value['health.lua']);
  return scripts;
}

/** ArgoCD's glob match of a `group/kind` key: `*` spans any characters, dots included. */
function globMatches(pattern: string, key: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(key);
}

/** The script ArgoCD would pick for a resource: an exact key first, then a matching glob. */
export function scriptFor(scripts: ReadonlyMap<string, string>, apiVersion: string, kind: string): string | undefined {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  const key = `${group}/${kind}`;
  const exact = scripts.get(key);
  if (exact) return exact;
  const matches = [...scripts.keys()].filter((pattern) => pattern.includes('*') && globMatches(pattern, key));
  if (matches.length > 1) throw new Error(`${key} matches several health globs (${matches.join(', ')}); ArgoCD would pick one at random`);
  return matches[0] === undefined ? undefined : scripts.get(matches[0]);
}

function push(L: LuaState, value: unknown): void {
  lauxlib.luaL_checkstack(L, 3, null);
  if (value === null || value === undefined) lua.lua_pushnil(L);
  else if (typeof value === 'boolean') lua.lua_pushboolean(L, value);
  else if (typeof value === 'number') lua.lua_pushnumber(L, value);
  else if (typeof value === 'string') lua.lua_pushstring(L, to_luastring(value));
  else if (Array.isArray(value)) {
    // JSON arrays become Lua sequences, 1-based, as ArgoCD's conversion makes them.
    lua.lua_createtable(L, value.length, 0);
    value.forEach((item, i) => {
      push(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else if (typeof value === 'object') {
    lua.lua_createtable(L, 0, 0);
    for (const [key, item] of Object.entries(value)) {
      if (item === null || item === undefined) continue;
      push(L, item);
      lua.lua_setfield(L, -2, to_luastring(key));
    }
  } else throw new Error(`cannot pass ${typeof value} to Lua`);
}

function field(L: LuaState, name: string): string {
  const type = lua.lua_getfield(L, -1, to_luastring(name));
  const value = type === lua.LUA_TNIL ? '' : lua.lua_tojsstring(L, -1);
  lua.lua_pop(L, 1);
  return value;
}

/** Runs one health.lua against a resource and returns what ArgoCD would show. */
export function assessHealth(script: string, resource: unknown): Health {
  const L = lauxlib.luaL_newstate();
  for (const [name, open] of [
    ['_G', lualib.luaopen_base],
    ['string', lualib.luaopen_string],
    ['table', lualib.luaopen_table],
    ['math', lualib.luaopen_math],
  ] as const) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
    lua.lua_pop(L, 1);
  }
  push(L, resource);
  lua.lua_setglobal(L, to_luastring('obj'));
  if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== lua.LUA_OK) throw new Error(`health.lua does not compile: ${lua.lua_tojsstring(L, -1)}`);
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) throw new Error(`health.lua failed: ${lua.lua_tojsstring(L, -1)}`);
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) throw new Error('health.lua returned no table');
  return { status: field(L, 'status'), message: field(L, 'message') };
}
