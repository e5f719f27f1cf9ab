import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contains, formatCidr, overlaps, parseCidr, type Cidr } from '../../functions/k8tre/lib/cidr.js';
import { FieldError } from '../../functions/k8tre/lib/field-error.js';
import { planAddresses, spokeSubnets, SUBNET_ROLES, type PreviousSpoke, type SpokePlan } from '../../functions/k8tre/network/address-plan.js';

const hub = parseCidr('10.100.0.0/22');
const pool = { cidr: parseCidr('10.110.0.0/16'), spokePrefixLength: 20 };
const envs = (...names: string[]) => names.map((name, i) => ({ name, field: `spec.environments[${i}]` }));

/** What a later reconcile sees of an earlier plan. */
function remembered(plan: ReadonlyMap<string, SpokePlan>): Map<string, PreviousSpoke> {
  return new Map([...plan].map(([name, p]) => [name, { addressSpace: p.addressSpace, subnets: { ...p.subnets } }]));
}

const show = (plan: ReadonlyMap<string, SpokePlan>) => Object.fromEntries([...plan].map(([n, p]) => [n, formatCidr(p.addressSpace)]));

describe('spoke subnet layout', () => {
  it('lays out the reference sizes inside a /20', () => {
    const subnets = spokeSubnets(parseCidr('10.110.0.0/20'));
    expect(Object.fromEntries(SUBNET_ROLES.map((r) => [r, formatCidr(subnets[r])]))).toEqual({
      nodes: '10.110.0.0/21',
      privateEndpoints: '10.110.8.0/23',
      ingress: '10.110.10.0/24',
      apiServer: '10.110.12.0/27',
    });
  });

  it.each([16, 18, 20, 22, 24])('fits a /%i with no overlap', (prefix) => {
    const spoke = { base: parseCidr('10.0.0.0/8').base, prefixLength: prefix };
    const subnets = SUBNET_ROLES.map((r) => spokeSubnets(spoke)[r]);
    for (const s of subnets) expect(contains(spoke, s)).toBe(true);
    for (const [i, a] of subnets.entries()) for (const b of subnets.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
  });
});

describe('planAddresses', () => {
  it('allocates in list order from the bottom of the pool', () => {
    const plan = planAddresses({ hub, pool, environments: envs('dev', 'stg', 'prd'), previous: new Map() });
    expect(show(plan)).toEqual({ dev: '10.110.0.0/20', stg: '10.110.16.0/20', prd: '10.110.32.0/20' });
  });

  it('keeps every allocation when an environment is inserted before the others', () => {
    const first = planAddresses({ hub, pool, environments: envs('dev', 'prd'), previous: new Map() });
    const second = planAddresses({ hub, pool, environments: envs('test', 'dev', 'prd'), previous: remembered(first) });
    expect(show(second)).toEqual({ test: '10.110.32.0/20', dev: '10.110.0.0/20', prd: '10.110.16.0/20' });
  });

  it('reuses a freed block for the next new environment, leaving the others alone', () => {
    const first = planAddresses({ hub, pool, environments: envs('dev', 'stg', 'prd'), previous: new Map() });
    const withoutStg = planAddresses({ hub, pool, environments: envs('dev', 'prd'), previous: remembered(first) });
    const withUat = planAddresses({ hub, pool, environments: envs('dev', 'prd', 'uat'), previous: remembered(withoutStg) });
    expect(show(withUat)).toEqual({ dev: '10.110.0.0/20', prd: '10.110.32.0/20', uat: '10.110.16.0/20' });
  });

  it('places explicit spaces first, and allocates around them and the hub', () => {
    const environments = [
      { name: 'dev', field: 'spec.environments[0]' },
      { name: 'prd', field: 'spec.environments[1]', explicit: parseCidr('10.110.0.0/20') },
    ];
    const plan = planAddresses({ hub: parseCidr('10.110.16.0/22'), pool, environments, previous: new Map() });
    expect(show(plan)).toEqual({ dev: '10.110.32.0/20', prd: '10.110.0.0/20' });
  });

  it('keeps a spoke allocated earlier even after the pool moves', () => {
    const previous = new Map([['dev', { addressSpace: parseCidr('10.50.0.0/20'), subnets: {} }]]);
    const plan = planAddresses({ hub, pool, environments: envs('dev', 'stg'), previous });
    expect(show(plan)).toEqual({ dev: '10.50.0.0/20', stg: '10.110.0.0/20' });
  });

  it('keeps observed subnet ranges inside an unchanged spoke', () => {
    const addressSpace = parseCidr('10.110.0.0/20');
    const previous = new Map([['dev', { addressSpace, subnets: { ingress: parseCidr('10.110.13.0/24') } }]]);
    const plan = planAddresses({ hub, pool, environments: envs('dev'), previous });
    expect(formatCidr(plan.get('dev')?.subnets.ingress ?? addressSpace)).toBe('10.110.13.0/24');
  });

  it('keeps the /28 API server subnet of a spoke planned before the /27 layout', () => {
    // Moving a live API server subnet would mean recreating the cluster.
    const addressSpace = parseCidr('10.110.0.0/20');
    const legacy = { nodes: '10.110.0.0/21', privateEndpoints: '10.110.8.0/23', ingress: '10.110.10.0/24', apiServer: '10.110.11.0/28' } as const;
    const subnets = Object.fromEntries(Object.entries(legacy).map(([role, cidr]) => [role, parseCidr(cidr)]));
    const plan = planAddresses({ hub, pool, environments: envs('dev'), previous: new Map([['dev', { addressSpace, subnets }]]) });
    expect(Object.fromEntries(SUBNET_ROLES.map((r) => [r, formatCidr(plan.get('dev')!.subnets[r])]))).toEqual(legacy);
  });

  const fatal = (input: Parameters<typeof planAddresses>[0]) => {
    try {
      planAddresses(input);
    } catch (error) {
      if (error instanceof FieldError) return error.message;
      throw error;
    }
    throw new Error('expected a FieldError');
  };

  it('names the explicit space that overlaps another environment', () => {
    const environments = [
      { name: 'dev', field: 'spec.environments[0]', explicit: parseCidr('10.1.0.0/16') },
      { name: 'stg', field: 'spec.environments[1]', explicit: parseCidr('10.1.16.0/20') },
    ];
    expect(fatal({ hub, environments, previous: new Map() })).toBe(
      'spec.environments[1].addressSpace: 10.1.16.0/20 overlaps spec.environments[0] (dev, 10.1.0.0/16)',
    );
  });

  it('names the explicit space that overlaps the hub', () => {
    const environments = [{ name: 'dev', field: 'spec.environments[0]', explicit: parseCidr('10.100.0.0/20') }];
    expect(fatal({ hub, environments, previous: new Map() })).toMatch(/^spec\.environments\[0\]\.addressSpace: .* overlaps the hub \(spec\.hub\.addressSpace/);
  });

  it('names the pool when it runs out', () => {
    const small = { cidr: parseCidr('10.110.0.0/19'), spokePrefixLength: 20 };
    expect(fatal({ hub, pool: small, environments: envs('dev', 'stg', 'prd'), previous: new Map() })).toBe(
      'spec.addressPool.cidr: 10.110.0.0/19 has no free /20 left for spec.environments[2] (prd)',
    );
  });
});

// Property tests over random pools and environment sets.

const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { minLength: 1, maxLength: 12 });
const poolArb = fc
  .record({ octet: fc.integer({ min: 1, max: 223 }), poolPrefix: fc.integer({ min: 12, max: 20 }), extra: fc.integer({ min: 0, max: 4 }) })
  .map(({ octet, poolPrefix, extra }) => ({
    cidr: { base: octet * 2 ** 24, prefixLength: poolPrefix },
    spokePrefixLength: Math.min(24, poolPrefix + extra + 1),
  }));

/** Plans, or returns undefined when the pool is legitimately too small. */
function tryPlan(input: Parameters<typeof planAddresses>[0]): Map<string, SpokePlan> | undefined {
  try {
    return planAddresses(input);
  } catch (error) {
    if (error instanceof FieldError && error.field === 'spec.addressPool.cidr') return undefined;
    throw error;
  }
}

describe('planAddresses properties', () => {
  const hubOutside = parseCidr('100.64.0.0/22');

  it('puts every subnet inside its spoke and every spoke inside the pool, with no overlap anywhere', () => {
    fc.assert(
      fc.property(poolArb, names, (pool, environmentNames) => {
        const plan = tryPlan({ hub: hubOutside, pool, environments: envs(...environmentNames), previous: new Map() });
        if (!plan) return;
        const all: Cidr[] = [hubOutside];
        for (const spoke of plan.values()) {
          expect(contains(pool.cidr, spoke.addressSpace)).toBe(true);
          for (const role of SUBNET_ROLES) {
            expect(contains(spoke.addressSpace, spoke.subnets[role])).toBe(true);
            for (const other of SUBNET_ROLES) if (other !== role) expect(overlaps(spoke.subnets[role], spoke.subnets[other])).toBe(false);
          }
          for (const seen of all) expect(overlaps(seen, spoke.addressSpace)).toBe(false);
          all.push(spoke.addressSpace);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never moves an environment when others are added, removed or reordered', () => {
    fc.assert(
      fc.property(poolArb, names, names, fc.integer(), (pool, before, added, seed) => {
        const first = tryPlan({ hub: hubOutside, pool, environments: envs(...before), previous: new Map() });
        if (!first) return;
        const kept = before.filter((_, i) => (seed >> i) & 1);
        const next = [...kept, ...added.filter((n) => !before.includes(n))];
        const shuffled = next
          .map((n, i) => ({ n, k: (i * 7919 + seed) % 1009 }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.n);
        if (shuffled.length === 0) return;
        const second = tryPlan({ hub: hubOutside, pool, environments: envs(...shuffled), previous: remembered(first) });
        if (!second) return;
        for (const name of kept) {
          expect(formatCidr(second.get(name)?.addressSpace ?? hubOutside)).toBe(formatCidr(first.get(name)?.addressSpace ?? hubOutside));
          expect(second.get(name)?.subnets).toEqual(first.get(name)?.subnets);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same input gives the same plan', () => {
    fc.assert(
      fc.property(poolArb, names, (pool, environmentNames) => {
        const a = tryPlan({ hub: hubOutside, pool, environments: envs(...environmentNames), previous: new Map() });
        const b = tryPlan({ hub: hubOutside, pool, environments: envs(...environmentNames), previous: new Map() });
        expect(a && show(a)).toEqual(b && show(b));
      }),
    );
  });
});
