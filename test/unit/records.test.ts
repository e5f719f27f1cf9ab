import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { definedFields, merged } from '../../functions/k8tre/lib/records.js';

// The helpers that stand in for object literals beginning with a spread (lib/records.ts): they
// must write what the spread wrote, and give their objects a hidden class that others share.

setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- V8's intrinsic parses only in code compiled after the flag
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/** How many of `count` objects one call site makes share the hidden class of the last one, once V8's inline cache is warm. */
function sharingHiddenClass(make: (i: number) => object, count = 200): number {
  const made = Array.from({ length: count }, (_, i) => make(i));
  const last = made[count - 1] as object;
  return made.slice(count / 2, -1).filter((object) => haveSameMap(object, last)).length;
}

describe('merged, for tags and labels', () => {
  it('writes what { ...a, ...b } writes: later maps win, in first-seen key order', () => {
    const tags = merged({ team: 'a', 'k8tre-environment': 'old' }, undefined, { 'k8tre-environment': 'dev', owner: 'b' });
    expect(Object.entries(tags)).toEqual([
      ['team', 'a'],
      ['k8tre-environment', 'dev'],
      ['owner', 'b'],
    ]);
  });

  it('keeps a user tag named __proto__ as a tag, as a spread does, instead of setting the prototype', () => {
    const user = JSON.parse('{"__proto__": "x", "team": "a"}') as Record<string, string>;
    const tags = merged(user, { env: 'dev' });
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.keys(tags)).toEqual(['__proto__', 'team', 'env']);
    expect(JSON.stringify(tags)).toBe(JSON.stringify({ ...user, env: 'dev' }));
  });

  it('takes a null or undefined map as empty, as a spread does', () => {
    expect(merged(null, { team: 'a' }, undefined)).toEqual({ team: 'a' });
  });

  it('copies: the maps it read are not changed', () => {
    const base = { team: 'a' };
    merged(base, { team: 'b' });
    expect(base).toEqual({ team: 'a' });
  });
});

describe('definedFields, for what is reported once known', () => {
  it('drops undefined and keeps every other value, false and empty strings included, in order', () => {
    const fields = definedFields<{ id?: string; uri?: string; shared?: boolean; name?: string }>({ id: undefined, uri: '', shared: false, name: 'kv' });
    expect(Object.entries(fields)).toEqual([
      ['uri', ''],
      ['shared', false],
      ['name', 'kv'],
    ]);
  });
});

describe('hidden classes (why the lint rule and these helpers exist)', () => {
  const tags = { team: 'a', owner: 'b' };

  it('a literal that begins with a spread and adds after it gives each object a class of its own on this Node', () => {
    expect(sharingHiddenClass((i) => ({ ...tags, env: `e${i}` }))).toBe(0);
  });

  it('the helpers and a literal that begins with a property make objects that share one', () => {
    expect(sharingHiddenClass((i) => merged(tags, { env: `e${i}` }))).toBe(99);
    expect(sharingHiddenClass((i) => definedFields({ id: `i${i}`, uri: undefined, name: 'kv' }))).toBe(99);
    expect(sharingHiddenClass((i) => ({ env: `e${i}`, ...tags }))).toBe(99);
  });
});
