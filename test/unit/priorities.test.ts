import { describe, expect, it } from 'vitest';
import { planPriorities } from '../../functions/k8tre/network/priorities.js';

const https = (plan: Map<string, { https: number }>) => Object.fromEntries([...plan].map(([n, p]) => [n, p.https]));

describe('routing priorities', () => {
  it('gives each environment its own slot, HTTP redirects just after HTTPS', () => {
    const plan = planPriorities(['dev', 'stg', 'prd'], new Map());
    expect(https(plan)).toEqual({ dev: 10, stg: 20, prd: 30 });
    expect(plan.get('stg')?.httpRedirect).toBe(25);
  });

  it('keeps slots when environments are inserted, removed and reordered (the reference renumbered them)', () => {
    const first = planPriorities(['dev', 'stg', 'prd'], new Map());
    const previous = new Map([...first].map(([n, p]) => [n, p.https]));
    expect(https(planPriorities(['uat', 'prd', 'dev'], previous))).toEqual({ prd: 30, dev: 10, uat: 20 });
  });

  it('ignores a recorded value that is not a slot, and never hands out one slot twice', () => {
    const plan = planPriorities(
      ['a', 'b', 'c'],
      new Map([
        ['a', 10],
        ['b', 10],
        ['c', 13],
      ]),
    );
    expect(https(plan)).toEqual({ a: 10, b: 20, c: 30 });
  });
});
