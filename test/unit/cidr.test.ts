import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contains, DisjointBlocks, firstFreeBlock, formatCidr, overlaps, parseCidr, size, type Cidr } from '../../functions/k8tre/lib/cidr.js';

describe('cidr', () => {
  it('round-trips a network address', () => {
    expect(formatCidr(parseCidr('10.110.32.0/20'))).toBe('10.110.32.0/20');
    expect(formatCidr(parseCidr('255.255.255.255/32'))).toBe('255.255.255.255/32');
    expect(formatCidr(parseCidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });

  it('refuses host bits and names the network address instead', () => {
    expect(() => parseCidr('10.0.0.1/16')).toThrow(/host bits set; the network address is 10\.0\.0\.0\/16/);
  });

  it.each(['10.0.0.0', '10.0.0.256/24', '10.0.0.0/33', '1.2.3/8', ' 10.0.0.0/8', '10.0.0.0/8\n'])('rejects %j', (text) => {
    expect(() => parseCidr(text)).toThrow(/not an IPv4 CIDR/);
  });

  it('knows overlap and containment at the edges', () => {
    const a = parseCidr('10.0.0.0/24');
    expect(overlaps(a, parseCidr('10.0.0.255/32'))).toBe(true);
    expect(overlaps(a, parseCidr('10.0.1.0/24'))).toBe(false);
    expect(contains(parseCidr('10.0.0.0/16'), a)).toBe(true);
    expect(contains(a, parseCidr('10.0.0.0/16'))).toBe(false);
  });

  it('finds the lowest aligned free block, skipping taken ranges of any size', () => {
    const pool = parseCidr('10.0.0.0/16');
    const taken = [parseCidr('10.0.0.0/20'), parseCidr('10.0.17.0/24')];
    expect(formatCidr(firstFreeBlock(pool, 20, taken) ?? { base: 0, prefixLength: 0 })).toBe('10.0.32.0/20');
    expect(formatCidr(firstFreeBlock(pool, 24, taken) ?? { base: 0, prefixLength: 0 })).toBe('10.0.16.0/24');
  });

  it('reports an exhausted pool', () => {
    const pool = parseCidr('10.0.0.0/23');
    expect(firstFreeBlock(pool, 24, [parseCidr('10.0.0.0/24'), parseCidr('10.0.1.0/24')])).toBeUndefined();
    expect(firstFreeBlock(pool, 22, [])).toBeUndefined();
  });

  it('agrees with a brute-force search over every aligned block', () => {
    const bruteForce = (pool: Cidr, prefixLength: number, taken: Cidr[]) => {
      const step = 2 ** (32 - prefixLength);
      for (let base = pool.base; base + step <= pool.base + size(pool); base += step) {
        const block = { base, prefixLength };
        if (!taken.some((t) => overlaps(t, block))) return block;
      }
      return undefined;
    };
    // Ranges are placed at and around block edges (first, second and last address of a block),
    // where an off-by-one in the search would show.
    const scenario = fc.record({ poolPrefix: fc.integer({ min: 16, max: 22 }), extra: fc.integer({ min: 0, max: 8 }) }).chain(({ poolPrefix, extra }) => {
      const prefixLength = Math.min(28, poolPrefix + extra);
      const blocks = 2 ** (prefixLength - poolPrefix);
      const edge = fc.record({ block: fc.nat(blocks - 1), at: fc.constantFrom(0, 1, -1), prefix: fc.integer({ min: 18, max: 32 }) });
      return fc.record({ poolPrefix: fc.constant(poolPrefix), prefixLength: fc.constant(prefixLength), edges: fc.array(edge, { maxLength: 40 }) });
    });
    fc.assert(
      fc.property(scenario, ({ poolPrefix, prefixLength, edges }) => {
        const pool = { base: 10 * 2 ** 24, prefixLength: poolPrefix };
        const targetSize = 2 ** (32 - prefixLength);
        const taken = edges.map(({ block, at, prefix }) => {
          const address = pool.base + block * targetSize + (at === -1 ? targetSize - 1 : at);
          const rangeSize = 2 ** (32 - prefix);
          return { base: address - (address % rangeSize), prefixLength: prefix };
        });
        expect(firstFreeBlock(pool, prefixLength, taken)).toEqual(bruteForce(pool, prefixLength, taken));
      }),
      { numRuns: 500 },
    );
  });

  // The address plan checks every fixed spoke against the others through DisjointBlocks; a miss
  // here would let two environments share addresses, so it is held to the plain search.
  it('says whether a block overlaps any of a disjoint set as a search through all of them would', () => {
    const block = fc.record({ base: fc.integer({ min: 0, max: 2 ** 16 - 1 }), prefix: fc.integer({ min: 16, max: 32 }) }).map(({ base, prefix }) => {
      const address = 10 * 2 ** 24 + base;
      const blockSize = 2 ** (32 - prefix);
      return { base: address - (address % blockSize), prefixLength: prefix };
    });
    fc.assert(
      fc.property(fc.array(block, { maxLength: 60 }), fc.array(block, { maxLength: 20 }), (candidates, probes) => {
        const set = new DisjointBlocks();
        const added: Cidr[] = [];
        for (const candidate of candidates) {
          const clashes = added.some((a) => overlaps(a, candidate));
          expect(set.overlapsAny(candidate)).toBe(clashes);
          if (!clashes) {
            set.add(candidate);
            added.push(candidate);
          }
        }
        for (const probe of probes) expect(set.overlapsAny(probe)).toBe(added.some((a) => overlaps(a, probe)));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same frozen answer for the same text, and still refuses bad text every time', () => {
    expect(parseCidr('10.1.0.0/16')).toBe(parseCidr('10.1.0.0/16'));
    expect(Object.isFrozen(parseCidr('10.1.0.0/16'))).toBe(true);
    expect(() => parseCidr('10.1.0.1/16')).toThrow(/host bits/);
    expect(() => parseCidr('10.1.0.1/16')).toThrow(/host bits/);
  });
});
