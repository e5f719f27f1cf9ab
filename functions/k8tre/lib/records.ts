// Objects built field by field, for where an object literal would begin with a spread.
//
// Why: on Node 20 (V8 11.3) every object from a literal that begins with a spread and adds
// anything after it (`{ ...tags, x }`, `{ ...a, ...b }`) gets a hidden class of its own. Such
// objects survive young collections, fill the old generation and turn the composers' property
// reads megamorphic. Measured at 3 environments: about 300 KB promoted per scavenge and a full
// collection every 200 ms, which set the function's tail. A literal that begins with a property
// (`{ x, ...tags }`) shares its hidden class, as do objects these helpers build. The lint rule in
// eslint.config.js refuses the first kind in functions/.

/**
 * `{ ...a, ...b }` for maps of user data (tags, labels): later maps win, and a null or undefined
 * map adds nothing. A key named `__proto__` is defined as an own field, as a spread does, rather
 * than set as the prototype.
 */
export function merged<V>(...maps: readonly (Readonly<Record<string, V>> | null | undefined)[]): Record<string, V> {
  const out: Record<string, V> = {};
  for (const map of maps) {
    if (map === undefined || map === null) continue;
    for (const key of Object.keys(map)) define(out, key, map[key] as V);
  }
  return out;
}

/**
 * The fields whose values are defined: what `{ ...(a && { a }), ...optional('b', b) }` writes,
 * in the order given.
 */
export function definedFields<T extends object>(fields: { [K in keyof T]?: T[K] }): T {
  const out = {} as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const value = (fields as Record<string, unknown>)[key];
    if (value !== undefined) define(out, key, value);
  }
  return out as T;
}

function define<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
