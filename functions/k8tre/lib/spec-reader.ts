import { CidrSyntaxError, parseCidr, type Cidr } from './cidr.js';
import { FieldError } from './field-error.js';
import { isObject, type JsonObject } from './json.js';

/**
 * Reads one object of an XR spec while remembering where it is, so every complaint names the
 * full field path. The API server validates XRs against the XRD before the function sees
 * them, but `crossplane render`, older XRD revisions and other callers do not; the function
 * checks again and never trusts the shape of its input.
 */
export class SpecReader {
  private constructor(
    private readonly value: JsonObject,
    readonly path: string,
  ) {}

  static root(value: unknown, path: string): SpecReader {
    if (!isObject(value)) throw new FieldError(path, 'must be an object');
    return new SpecReader(value, path);
  }

  field(key: string): string {
    return `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  object(key: string): SpecReader | undefined {
    if (!this.has(key)) return undefined;
    return SpecReader.root(this.value[key], this.field(key));
  }

  requiredObject(key: string): SpecReader {
    return this.object(key) ?? this.missing(key);
  }

  string(key: string, rule?: { pattern: RegExp; describe: string; maxLength?: number }): string | undefined {
    if (!this.has(key)) return undefined;
    const value = this.value[key];
    if (typeof value !== 'string') throw new FieldError(this.field(key), `must be a string, got ${typeName(value)}`);
    if (rule && ((rule.maxLength !== undefined && value.length > rule.maxLength) || !rule.pattern.test(value))) {
      throw new FieldError(this.field(key), `${quote(value)} is not ${rule.describe}`);
    }
    return value;
  }

  requiredString(key: string, rule?: { pattern: RegExp; describe: string; maxLength?: number }): string {
    return this.string(key, rule) ?? this.missing(key);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(key);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new FieldError(this.field(key), `${quote(value)} is not one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  boolean(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const value = this.value[key];
    if (typeof value !== 'boolean') throw new FieldError(this.field(key), `must be true or false, got ${typeName(value)}`);
    return value;
  }

  integer(key: string, range: { min: number; max: number }, fallback: number): number {
    if (!this.has(key)) return fallback;
    const value = this.value[key];
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new FieldError(this.field(key), `must be an integer, got ${typeName(value)}`);
    }
    if (value < range.min || value > range.max) {
      throw new FieldError(this.field(key), `${value} is out of range; allowed is ${range.min} to ${range.max}`);
    }
    return value;
  }

  cidr(key: string, prefixRange: { min: number; max: number }): Cidr | undefined {
    const text = this.string(key);
    if (text === undefined) return undefined;
    let cidr: Cidr;
    try {
      cidr = parseCidr(text);
    } catch (error) {
      if (error instanceof CidrSyntaxError) throw new FieldError(this.field(key), error.message);
      throw error;
    }
    if (cidr.prefixLength < prefixRange.min || cidr.prefixLength > prefixRange.max) {
      throw new FieldError(this.field(key), `prefix length /${cidr.prefixLength} is out of range; allowed is /${prefixRange.min} to /${prefixRange.max}`);
    }
    return cidr;
  }

  /** An array whose items are read by `item`, bounded so a hostile list cannot exhaust memory. */
  list<T>(key: string, bounds: { min: number; max: number }, item: (value: unknown, path: string) => T): T[] | undefined {
    if (!this.has(key)) return undefined;
    const value = this.value[key];
    if (!Array.isArray(value)) throw new FieldError(this.field(key), `must be a list, got ${typeName(value)}`);
    if (value.length < bounds.min || value.length > bounds.max) {
      throw new FieldError(this.field(key), `has ${value.length} items; allowed is ${bounds.min} to ${bounds.max}`);
    }
    // Array.from, not map: map skips the holes of a sparse list, which would reach callers as undefined.
    return Array.from(value, (entry: unknown, i) => item(entry, `${this.field(key)}[${i}]`));
  }

  /** `forbiddenKey`: keys that match it are refused, saying why (e.g. characters Azure refuses in tag names). */
  stringMap(
    key: string,
    bounds: {
      maxEntries: number;
      maxKey: number;
      maxValue: number;
      forbiddenKey?: { pattern: RegExp; describe: string };
      keyPattern?: { pattern: RegExp; describe: string };
      valuePattern?: { pattern: RegExp; describe: string };
    },
  ): Record<string, string> {
    const map = this.object(key);
    if (!map) return {};
    const entries = Object.entries(map.value);
    if (entries.length > bounds.maxEntries) {
      throw new FieldError(map.path, `has ${entries.length} entries; at most ${bounds.maxEntries} are allowed`);
    }
    const result: Record<string, string> = {};
    for (const [k, v] of entries) {
      if (typeof v !== 'string') throw new FieldError(keyPath(map.path, k), `must be a string, got ${typeName(v)}`);
      if (k.length === 0 || k.length > bounds.maxKey) throw new FieldError(map.path, `key ${quote(k)} must be 1 to ${bounds.maxKey} characters`);
      if (bounds.forbiddenKey?.pattern.test(k)) throw new FieldError(keyPath(map.path, k), `is not allowed: ${bounds.forbiddenKey.describe}`);
      if (bounds.keyPattern && !bounds.keyPattern.pattern.test(k)) throw new FieldError(keyPath(map.path, k), `is not ${bounds.keyPattern.describe}`);
      if (v.length > bounds.maxValue) throw new FieldError(keyPath(map.path, k), `must be at most ${bounds.maxValue} characters`);
      if (bounds.valuePattern && !bounds.valuePattern.pattern.test(v)) {
        throw new FieldError(keyPath(map.path, k), `${quote(v)} is not ${bounds.valuePattern.describe}`);
      }
      result[k] = v;
    }
    return result;
  }

  private missing(key: string): never {
    throw new FieldError(this.field(key), 'is required');
  }
}

/** The path of a map entry; a key that is not a plain name (dots included) is quoted, so the path stays unambiguous. */
function keyPath(path: string, key: string): string {
  return /^[A-Za-z0-9_-]{1,63}$/.test(key) ? `${path}.${key}` : `${path}[${quote(key)}]`;
}

/** Reads a list item that must be a string matching `rule`. */
export function stringItem(rule: { pattern: RegExp; describe: string }) {
  return (value: unknown, path: string): string => {
    if (typeof value !== 'string') throw new FieldError(path, `must be a string, got ${typeName(value)}`);
    if (!rule.pattern.test(value)) throw new FieldError(path, `${quote(value)} is not ${rule.describe}`);
    return value;
  };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} ${quote(String(value))}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Quotes user input for a message, cut short and with control characters made visible. */
export function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown);
}

/** `{ [key]: value }` when the value is set, else `{}`: spreads optional fields without undefined. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

export function missing(field: string): never {
  throw new FieldError(field, 'is required');
}
