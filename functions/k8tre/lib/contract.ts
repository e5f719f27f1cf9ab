import type { Schema } from './openapi.js';

// A status contract: the fields an XR's status carries, written once. The same value gives the
// XRD its status schema (apis/<api>/definition.ts) and the function its TypeScript type
// (TypeOf), so what the function writes, what the API server stores and what a reader of the
// status (a cluster reading its network, a parent reading its child) expects cannot drift apart.
//
// Nothing in a status schema is `required`: the function writes status, Crossplane stores it, and
// a field the API server demanded but the function left out (an ID Azure has not reported yet)
// would fail the whole status update. Optionality lives in the type alone: `optional(...)` marks
// what appears only once Azure reports it.

export interface Field<T, Optional extends boolean = boolean> {
  readonly schema: Schema;
  readonly optional: Optional;
  /** Never set: carries the field's TypeScript type. */
  readonly type?: T;
}

export type TypeOf<F> = F extends Field<infer T> ? T : never;

type Fields = Record<string, Field<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectOf<P extends Fields> = Simplify<
  { -readonly [K in keyof P as P[K] extends Field<unknown, true> ? never : K]: TypeOf<P[K]> } & {
    -readonly [K in keyof P as P[K] extends Field<unknown, true> ? K : never]?: TypeOf<P[K]>;
  }
>;

type Extra = Omit<Schema, 'type' | 'description' | 'properties' | 'items' | 'additionalProperties' | 'required'>;

function field<T>(schema: Schema): Field<T, false> {
  return { schema, optional: false };
}

export function string(description: string, extra: Extra = {}): Field<string, false> {
  return field({ type: 'string', description, ...extra });
}

export function integer(description: string, extra: Extra = {}): Field<number, false> {
  return field({ type: 'integer', description, ...extra });
}

export function boolean(description: string): Field<boolean, false> {
  return field({ type: 'boolean', description });
}

export function object<P extends Fields>(description: string, properties: P): Field<ObjectOf<P>, false> {
  return field({ type: 'object', description, properties: Object.fromEntries(Object.entries(properties).map(([name, f]) => [name, f.schema])) });
}

/** A map from names the function chooses (storage purposes, subnet roles) to one shape. */
export function record<K extends string, T>(description: string, keys: readonly K[], value: Field<T>): Field<Record<K, T>, false> {
  return field({ type: 'object', description, properties: Object.fromEntries(keys.map((key) => [key, value.schema])) });
}

export function array<T>(description: string, item: Field<T>): Field<T[], false> {
  return field({ type: 'array', description, items: item.schema });
}

/**
 * A list of objects keyed by one of their fields, which Kubernetes merges entry by entry (and
 * the key is the one `required` a status schema has: a list-map key must be).
 */
export function listMap<T>(description: string, key: keyof T & string, item: Field<T, false>): Field<T[], false> {
  return field({
    type: 'array',
    description,
    items: { ...item.schema, required: [key] },
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': [key],
  });
}

/** Present once Azure reports it (an ID, an address), or only in some shapes of the XR. */
export function optional<T>(f: Field<T, false>): Field<T, true> {
  return { schema: f.schema, optional: true };
}
