import { describe, expect, it } from 'vitest';
import { byName, compact } from '../../functions/k8tre/lib/json.js';
import { memoized } from '../../functions/k8tre/lib/memo.js';

// The indexes and memos composing leans on to stay linear in the environments. Each must answer
// exactly as the plain search or call it replaced.

describe('byName', () => {
  it('finds what `find` by name would: the first of a name, skipping what has no string name', () => {
    const list = [{ name: 'a', n: 1 }, 'x', null, { name: 7 }, { name: 'b' }, { name: 'a', n: 2 }];
    const index = byName(list);
    expect(index.get('a')).toBe(list[0]);
    expect(index.get('b')).toBe(list[4]);
    expect([...index.keys()]).toEqual(['a', 'b']);
  });

  it('is empty for anything but a list, as a field the provider has not reported yet', () => {
    for (const value of [undefined, null, 'a', { name: 'a' }]) expect(byName(value).size).toBe(0);
  });

  it('is built once per list', () => {
    const list = [{ name: 'a' }];
    expect(byName(list)).toBe(byName(list));
  });
});

describe('memoized', () => {
  it('computes a key once until the cache reaches its limit, then starts again', () => {
    const calls: string[] = [];
    const upper = memoized((key) => {
      calls.push(key);
      return key.toUpperCase();
    }, 2);
    expect([upper('a'), upper('b'), upper('a')]).toEqual(['A', 'B', 'A']);
    expect(calls).toEqual(['a', 'b']);
    upper('c'); // the third key empties the cache first
    upper('a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('remembers an undefined answer too, and nothing for a call that threw', () => {
    let calls = 0;
    const f = memoized((key) => {
      calls++;
      if (key === 'bad') throw new Error('bad');
      return undefined;
    });
    f('none');
    f('none');
    expect(() => f('bad')).toThrow('bad');
    expect(() => f('bad')).toThrow('bad');
    expect(calls).toBe(3);
  });
});

describe('compact', () => {
  // The codec decodes a `__proto__` key as an own property; compacting must not turn it into the
  // copy's prototype, whose fields the encoder would then write as the object's own.
  it('keeps a __proto__ key an own field, and drops undefined fields', () => {
    const input: Record<string, unknown> = { kept: 1, dropped: undefined };
    Object.defineProperty(input, '__proto__', { value: { injected: true }, enumerable: true, configurable: true, writable: true });
    const out = compact<Record<string, unknown>>(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['kept', '__proto__']);
    expect('injected' in out).toBe(false);
  });
});
