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

/** Drops undefined fields: they have no protobuf Struct encoding and mean "not known yet". */
export function compact<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
