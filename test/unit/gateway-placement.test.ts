import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOnGateways } from '../../functions/k8tre/network/gateway-placement.js';

// Which gateway serves an environment decides its public IP, which its DNS records point at: a
// placement is given once and never moves, like a CIDR or a routing slot.

const placed = (exposed: string[], previous: Map<string, number> = new Map(), capacity = 2) => {
  const { byEnvironment, count } = placeOnGateways(exposed, previous, capacity);
  return { on: Object.fromEntries(byEnvironment), count };
};

describe('gateway placement', () => {
  it('fills the first gateway, then adds one when all are full', () => {
    expect(placed(['a', 'b', 'c'])).toEqual({ on: { a: 0, b: 0, c: 1 }, count: 2 });
  });

  it('composes one gateway for a network that exposes nothing yet', () => {
    expect(placed([])).toEqual({ on: {}, count: 1 });
  });

  it('gives a freed place to the next new environment, never to a neighbour', () => {
    const before = placed(['a', 'b', 'c']).on;
    const previous = new Map(Object.entries(before));
    expect(placed(['b', 'c', 'd'], previous).on).toEqual({ b: 0, c: 1, d: 0 });
  });

  it('keeps a gateway that is over capacity as it is (a lower limit later moves no one)', () => {
    const previous = new Map([
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]);
    expect(placed(['a', 'b', 'c', 'd'], previous)).toEqual({ on: { a: 0, b: 0, c: 0, d: 1 }, count: 2 });
  });

  it('keeps a gateway in use when the ones before it empty', () => {
    expect(placed(['c'], new Map([['c', 2]]))).toEqual({ on: { c: 2 }, count: 3 });
  });

  it('under any sequence of edits, never moves an environment and never overfills a gateway it places on', () => {
    const names = fc.uniqueArray(fc.constantFrom(...'abcdefghijklmnop'.split('')), { maxLength: 16 });
    fc.assert(
      fc.property(fc.array(names, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), (edits, capacity) => {
        let previous = new Map<string, number>();
        for (const exposed of edits) {
          const { byEnvironment } = placeOnGateways(exposed, previous, capacity);
          for (const env of exposed) if (previous.has(env)) expect(byEnvironment.get(env)).toBe(previous.get(env));
          const load = new Map<number, number>();
          for (const index of byEnvironment.values()) load.set(index, (load.get(index) ?? 0) + 1);
          for (const count of load.values()) expect(count).toBeLessThanOrEqual(capacity);
          previous = new Map(byEnvironment);
        }
      }),
    );
  });
});
