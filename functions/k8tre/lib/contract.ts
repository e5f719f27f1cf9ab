import { COMPOSED_GENERATION, composedGenerationSchema } from './composed-generation.js';
import { FieldError } from './field-error.js';
import type { Schema } from './openapi.js';
import { quote } from './spec-reader.js';

// A contract between the function and an XR: the fields of its status, or of the spec a parent
// XR writes for its child, written once. The same value gives the XRD its schema
// (apis/<api>/definition.ts), the function its TypeScript type (TypeOf) and, for a spec, its
// reader (read), so what one side writes, what the API server stores and what the other side
// reads cannot drift apart.
//
// `optional(...)` marks what may be absent: an ID Azure has not reported yet, a peering only some
// environments have. A spec schema requires the rest; a status schema requires nothing
// (statusSchema), because the function writes status, Crossplane stores it, and a field the API
// server demanded but the function left out would fail the whole status update.

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
  const required = Object.entries(properties)
    .filter(([, f]) => !f.optional)
    .map(([name]) => name);
  return field({
    type: 'object',
    description,
    properties: Object.fromEntries(Object.entries(properties).map(([name, f]) => [name, f.schema])),
    ...(required.length > 0 && { required }),
  });
}

/** Names the writer chooses (tags, composition keys) to values of one shape. */
export function map<T>(description: string, value: Field<T>, extra: Pick<Schema, 'maxProperties'> = {}): Field<Record<string, T>, false> {
  return field({ type: 'object', description, additionalProperties: value.schema, ...extra });
}

/** A map from names the function chooses (storage purposes, subnet roles) to one shape. */
export function record<K extends string, T>(description: string, keys: readonly K[], value: Field<T>): Field<Record<K, T>, false> {
  return field({ type: 'object', description, properties: Object.fromEntries(keys.map((key) => [key, value.schema])), required: [...keys] });
}

export function array<T>(description: string, item: Field<T>, extra: Pick<Schema, 'maxItems'> = {}): Field<T[], false> {
  return field({ type: 'array', description, items: item.schema, ...extra });
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

/**
 * The schema of a status contract: nothing required but list-map keys (see above), and beside it
 * the generation the function composed, which it writes into every XR's status.
 */
export function statusSchema(f: Field<unknown>): Schema {
  const schema = withoutRequired(f.schema);
  return { ...schema, properties: { ...schema.properties, [COMPOSED_GENERATION]: composedGenerationSchema } };
}

function withoutRequired(schema: Schema): Schema {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped on purpose
  const { required, properties, items, additionalProperties, ...rest } = schema;
  const keys = schema['x-kubernetes-list-map-keys'];
  return {
    ...rest,
    ...(properties && { properties: Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, withoutRequired(s)])) }),
    ...(items && { items: keys ? { ...withoutRequired(items), required: [...keys] } : withoutRequired(items) }),
    ...(additionalProperties && { additionalProperties: withoutRequired(additionalProperties) }),
  };
}

/**
 * `value` as the contract's type, checked field by field: a child XR reads the spec its parent
 * wrote, which a person can still edit, so what does not fit is a FieldError naming the path.
 */
export function read<T>(f: Field<T>, value: unknown, path: string): T {
  check(f.schema, value, path);
  return value as T;
}

function check(schema: Schema, value: unknown, path: string): void {
  const fail = (reason: string): never => {
    throw new FieldError(path, reason);
  };
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') fail(`is ${describe(value)}, not a string`);
      if (schema.enum && !schema.enum.includes(value as string)) fail(`${quote(value as string)} is not one of ${schema.enum.join(', ')}`);
      if (schema.pattern && !new RegExp(schema.pattern).test(value as string)) fail(`${quote(value as string)} does not match ${schema.pattern}`);
      if (schema.maxLength !== undefined && (value as string).length > schema.maxLength) fail(`is longer than ${schema.maxLength} characters`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) fail(`is ${describe(value)}, not an integer`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(`is ${describe(value)}, not true or false`);
      return;
    case 'array':
      if (!Array.isArray(value)) return fail(`is ${describe(value)}, not a list`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`has ${value.length} items; at most ${schema.maxItems}`);
      value.forEach((item, i) => check(schema.items ?? {}, item, `${path}[${i}]`));
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`is ${describe(value)}, not an object`);
      const entries = Object.entries(value as Record<string, unknown>);
      for (const name of schema.required ?? [])
        if ((value as Record<string, unknown>)[name] === undefined) throw new FieldError(`${path}.${name}`, 'is required');
      if (schema.maxProperties !== undefined && entries.length > schema.maxProperties) fail(`has ${entries.length} entries; at most ${schema.maxProperties}`);
      for (const [name, child] of entries) {
        const declared = schema.properties?.[name] ?? schema.additionalProperties;
        if (!declared) throw new FieldError(`${path}.${name}`, 'is not a field of this API');
        if (child !== undefined) check(declared, child, `${path}.${name}`);
      }
      return;
    }
    default:
      return;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? typeof value;
}
