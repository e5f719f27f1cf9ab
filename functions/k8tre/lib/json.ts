// Narrowing helpers for JSON that arrives from the wire (observed state, XR specs).

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows `path` through nested objects; undefined as soon as a step is not an object. */
export function dig(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function digString(value: unknown, ...path: string[]): string | undefined {
  const found = dig(value, ...path);
  return typeof found === 'string' && found !== '' ? found : undefined;
}

/**
 * Drops undefined fields: they have no protobuf Struct encoding and mean "not known yet". As a
 * JSON round trip would, without the string: a network's status is its largest object, and the
 * round trip was a tenth of composing one of 100 environments (npm run bench). Arrays keep their
 * length, an undefined item becoming null, as JSON.stringify writes it.
 */
export function compact<T>(value: T): T {
  return compactValue(value) as T;
}

function compactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : compactValue(item)));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key in value) {
    const field = value[key];
    if (field === undefined) continue;
    // An own property, never the prototype, as the codec decodes `__proto__`.
    if (key === '__proto__') Object.defineProperty(out, key, { value: compactValue(field), writable: true, enumerable: true, configurable: true });
    else out[key] = compactValue(field);
  }
  return out;
}

const nameIndexes = new WeakMap<readonly unknown[], ReadonlyMap<string, JsonObject>>();

/**
 * The objects of a list by their `name` field, the first of each name winning as `find` would.
 * Built once per list and kept while the list lives: composing asks a gateway's listeners,
 * rules and certificates for every environment, and a `find` each was quadratic in the
 * environments (a tenth of composing a network of 250).
 */
export function byName(list: unknown): ReadonlyMap<string, JsonObject> {
  if (!Array.isArray(list)) return EMPTY_INDEX;
  let index = nameIndexes.get(list);
  if (!index) {
    const built = new Map<string, JsonObject>();
    for (const item of list as unknown[]) if (isObject(item) && typeof item.name === 'string' && !built.has(item.name)) built.set(item.name, item);
    index = built;
    nameIndexes.set(list, index);
  }
  return index;
}

const EMPTY_INDEX: ReadonlyMap<string, JsonObject> = new Map();
