import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HTTP_REDIRECT_PRIORITY, planPriorities, slotOfPriority, type RoutingPriorities } from '../../functions/k8tre/network/priorities.js';

const envs = (...names: string[]) => names.map((name) => ({ name, apex: name === 'prd' }));
const https = (plan: Map<string, RoutingPriorities>) => Object.fromEntries([...plan].map(([n, p]) => [n, p.https]));
const slots = (plan: Map<string, RoutingPriorities>) => new Map([...plan].map(([n, p]) => [n, p.slot]));

/** The environment whose listener Azure picks for a host: the matching listener with the lowest priority. */
function winner(plan: Map<string, RoutingPriorities>, apex: string | undefined, host: string, zone: string): string | undefined {
  const hosts = (env: string) => (env === apex ? [zone, `*.${zone}`] : [`${env}.${zone}`, `*.${env}.${zone}`]);
  const matches = (pattern: string) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern);
  return [...plan]
    .filter(([env]) => hosts(env).some(matches))
    .sort(([, a], [, b]) => a.https - b.https)
    .at(0)?.[0];
}

describe('routing priorities', () => {
  it('gives each environment its own slot, the apex after all others, and the shared HTTP redirect after everything', () => {
    const plan = planPriorities(envs('dev', 'stg', 'prd'), new Map());
    expect(https(plan)).toEqual({ dev: 10, stg: 20, prd: 10_030 });
    expect(plan.get('prd')).toEqual({ slot: 3, https: 10_030 });
    expect(planPriorities(envs('prd'), new Map([['prd', 999]])).get('prd')?.https).toBeLessThan(HTTP_REDIRECT_PRIORITY);
  });

  it('keeps slots when environments are inserted, removed and reordered (the reference renumbered them)', () => {
    const first = planPriorities(envs('dev', 'stg', 'prd'), new Map());
    expect(https(planPriorities(envs('uat', 'prd', 'dev'), slots(first)))).toEqual({ prd: 10_030, dev: 10, uat: 20 });
  });

  it('ignores a recorded slot that is out of range, and never hands out one slot twice', () => {
    const plan = planPriorities(
      envs('a', 'b', 'c'),
      new Map([
        ['a', 1],
        ['b', 1],
        ['c', 1.5],
      ]),
    );
    expect(https(plan)).toEqual({ a: 10, b: 20, c: 30 });
  });

  it('reads a slot back from a priority in either band, and refuses anything else', () => {
    expect([10, 30, 10_030, 19_990].map(slotOfPriority)).toEqual([1, 3, 3, 999]);
    expect([0, 13, 10_005, 20_000].map(slotOfPriority)).toEqual([undefined, undefined, undefined, undefined]);
  });

  // Azure picks the listener of the lowest-priority matching rule, and the apex serves *.<zone>,
  // which covers every other environment's hosts
  // (https://learn.microsoft.com/azure/application-gateway/multiple-site-overview).
  it('lets the more specific host win, whatever the order environments were added in, and never moves a kept priority', () => {
    const names = fc.uniqueArray(fc.stringMatching(/^e[a-z0-9]{0,4}$/), { minLength: 2, maxLength: 12 });
    fc.assert(
      fc.property(names, fc.nat(), (order, apexPick) => {
        const apex = order[apexPick % order.length]!;
        let plan = new Map<string, RoutingPriorities>();
        for (let added = 1; added <= order.length; added++) {
          const list = order.slice(0, added).map((name) => ({ name, apex: name === apex }));
          const next = planPriorities(list, slots(plan));
          for (const [env, before] of plan) expect(next.get(env)).toEqual(before);
          plan = next;
        }
        for (const env of order.filter((e) => e !== apex)) {
          expect(winner(plan, apex, `jupyter.${env}.karectl.org`, 'karectl.org')).toBe(env);
          expect(winner(plan, apex, `${env}.karectl.org`, 'karectl.org')).toBe(env);
        }
        expect(winner(plan, apex, 'jupyter.karectl.org', 'karectl.org')).toBe(apex);
        expect(new Set([...plan.values()].map((p) => p.https)).size).toBe(plan.size);
      }),
    );
  });
});
