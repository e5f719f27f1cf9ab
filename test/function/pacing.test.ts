import { Ready, Status } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { runFunction } from '../../functions/k8tre/handler.js';
import { API_VERSION } from '../../functions/k8tre/network/api.js';
import { keys } from '../../functions/k8tre/network/naming.js';
import {
  breakerEnv,
  breakerSettingsFromEnv,
  costOf,
  CROSSPLANE_DEFAULT_BREAKER,
  lifetimeOf,
  pace,
  RESOURCES_COMPOSED,
  type ObservedObject,
  type PacingInput,
} from '../../functions/k8tre/lib/pacing.js';
import { requestFor } from '../../scripts/lib/in-process.js';
import { desired, loadExample, run, type Json } from '../support/function.js';

// lib/pacing.ts composes new resources in steps, so that the watch events they cause stay within
// Crossplane's circuit breaker (README, "Crossplane's circuit breaker"). The e2e run measures what
// each kind of object really costs its XR; these cases pin the arithmetic and the promises around
// it: what exists is never dropped, a render composes everything, and an XR says why it waits.

const MR = costOf({ apiVersion: 'network.azure.m.upbound.io/v1beta1', kind: 'Subnet' }, API_VERSION);
const CHILD = costOf({ apiVersion: API_VERSION, kind: 'XK8treSpoke' }, API_VERSION);
const T0 = Date.parse('2026-12-03T00:00:00Z');
const seconds = (n: number) => T0 + n * 1000;
const candidates = (n: number, cost = MR) => Array.from({ length: n }, (_, i) => ({ name: `r${i}`, cost }));
const objects = (n: number, o: Omit<ObservedObject, 'cost'>, cost = MR): ObservedObject[] => Array.from({ length: n }, () => ({ ...o, cost }));

const cases: { reason: string; input: Partial<PacingInput>; admitted: number; retryAfterSeconds?: number }[] = [
  {
    reason:
      "a new XR at Crossplane's defaults composes 3 managed resources in its first step (12 for the step and 3 × 17 within the 70 beside the margin, a fourth kept back), and comes back once the next step's 52.5 tokens are free: 7 are left, so 46 s at 1 a second",
    input: { candidates: candidates(15) },
    admitted: 3,
    retryAfterSeconds: 46,
  },
  {
    reason: 'a raised breaker, told to the function, composes everything at once',
    input: { settings: { burst: 25000, refillPerSecond: 100 }, candidates: candidates(49) },
    admitted: 49,
  },
  {
    reason:
      'four resources created in one step 10 s ago and not Ready yet: the step and their creates spent 48, their Ready holds back 32, so none is free beside the margin, and the next step (three quarters of the 38 left beside the margin and what is held back) comes in 29 s',
    input: { now: seconds(10), observed: objects(4, { created: T0 }), candidates: candidates(5) },
    admitted: 0,
    retryAfterSeconds: 29,
  },
  {
    reason: 'resources Ready long ago cost nothing more: the bucket has refilled, up to its burst and no further',
    input: { now: seconds(3600), observed: objects(30, { created: T0, readySince: seconds(60) }), candidates: candidates(10) },
    admitted: 3,
  },
  {
    reason: 'a resource charges its XR again when it becomes Ready: four did so 15 s ago, and 15 of their 32 tokens have come back, enough for a step of 2',
    input: { now: seconds(115), observed: objects(4, { created: T0, readySince: seconds(100) }), candidates: candidates(5) },
    admitted: 2,
  },
  {
    reason:
      'two child XRs just created spent 60, hold back 20 and spend 0.4 a second: a third waits for its step (45 tokens, three quarters of the 60 left; none free), 75 s at the 0.6 a second they leave, so a minute',
    input: { observed: objects(2, { created: T0 }, CHILD), candidates: candidates(1, CHILD) },
    admitted: 0,
    retryAfterSeconds: 60,
  },
  {
    reason:
      "the default bucket starts one child XR at a time, whatever their number: a child's first writes, charged to the parent, come within seconds (two at once needed 106 in the e2e run)",
    input: { candidates: candidates(25, CHILD) },
    admitted: 1,
  },
  {
    reason:
      'an object observed without a creation time counts as made with the XR, a minute ago, so its create has refilled since (counted as made now, nothing would be free)',
    input: { now: seconds(60), observed: objects(4, {}), candidates: candidates(1) },
    admitted: 1,
  },
  {
    reason: 'three resources not Ready for 10 minutes (an Azure error, say) hold back 24: the next step is sized to the room left, so the rest still composes',
    input: { now: seconds(3600), observed: objects(3, { created: seconds(3000), unreadySince: seconds(3000) }), candidates: candidates(2) },
    admitted: 2,
  },
  {
    reason:
      'resources not Ready for over 30 minutes are stuck and hold back nothing: ten of them, whose Ready would cost 80, do not stop the next step, as large as on a full bucket',
    input: { now: seconds(3600), observed: objects(10, { created: T0, unreadySince: seconds(60) }), candidates: candidates(4) },
    admitted: 3,
  },
  {
    reason:
      'children Ready again after a change that touched them all spent from when they turned unready, not from their creation a day before, and the bucket is never below empty: ten minutes on, it is full again',
    input: {
      now: seconds(86_400),
      xrCreated: seconds(-86_400),
      observed: objects(25, { created: seconds(-86_400), readySince: seconds(86_400 - 600) }, CHILD),
      candidates: candidates(1, CHILD),
    },
    admitted: 1,
  },
  {
    reason: 'children all converging again hold back more than the bucket holds: a new one waits until one is Ready, which calls the XR anyway, or a minute',
    input: { now: seconds(86_400), observed: objects(25, { created: T0, unreadySince: seconds(86_400 - 60) }, CHILD), candidates: candidates(1, CHILD) },
    admitted: 0,
    retryAfterSeconds: 60,
  },
  {
    reason:
      'a breaker too small for a step of one child XR (40 tokens, 0.1 a second) still moves: the first candidate is composed alone once the bucket is full and nothing converges',
    input: { settings: { burst: 40, refillPerSecond: 0.1 }, candidates: candidates(2, CHILD) },
    admitted: 1,
    retryAfterSeconds: 60,
  },
];

describe('how many new resources an XR composes now', () => {
  for (const { reason, input, admitted, retryAfterSeconds } of cases) {
    it(reason, () => {
      const result = pace({ settings: CROSSPLANE_DEFAULT_BREAKER, now: T0, xrCreated: T0, observed: [], candidates: [], ...input });
      expect(result.admitted).toEqual((input.candidates ?? []).slice(0, admitted).map((c) => c.name));
      expect(result.deferred.length).toBe((input.candidates ?? []).length - admitted);
      if (retryAfterSeconds !== undefined) expect(result.retryAfterSeconds).toBe(retryAfterSeconds);
      if (result.deferred.length === 0) expect(result.retryAfterSeconds).toBeUndefined();
    });
  }

  it('keeps the order the composer gave: a child XR that does not fit holds back a managed resource after it that would, which may depend on it', () => {
    // A large bucket with room for both, but five converging children already spend the refill.
    const result = pace({
      settings: { burst: 1000, refillPerSecond: 1 },
      now: T0,
      xrCreated: T0,
      observed: objects(5, { created: T0 }, CHILD),
      candidates: [{ name: 'child', cost: CHILD }, ...candidates(1)],
    });
    expect(result).toMatchObject({ admitted: [], deferred: ['child', 'r0'] });
    expect(
      pace({ settings: { burst: 1000, refillPerSecond: 1 }, now: T0, xrCreated: T0, observed: objects(5, { created: T0 }, CHILD), candidates: candidates(1) })
        .admitted,
    ).toEqual(['r0']);
  });
});

describe('when an observed object was created and became Ready', () => {
  it("reads its creation time and its Ready condition's last transition: the moments the estimate charges it", () => {
    const object = {
      metadata: { creationTimestamp: '2026-12-03T00:00:00Z' },
      status: {
        conditions: [
          { type: 'Synced', status: 'True', lastTransitionTime: '2026-12-03T00:00:01Z' },
          { type: 'Ready', status: 'True', lastTransitionTime: '2026-12-03T00:00:30Z' },
        ],
      },
    };
    expect(lifetimeOf(object)).toEqual({ created: T0, readySince: seconds(30) });
  });

  it('has no Ready time while Ready is False, but when it stopped being Ready: the stretch in which it holds back what becoming Ready costs', () => {
    expect(lifetimeOf({ status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-12-03T00:00:30Z' }] } })).toEqual({
      unreadySince: seconds(30),
    });
  });
});

describe("the breaker settings Crossplane runs with, from the function's environment", () => {
  it("takes Crossplane's defaults where the environment says nothing", () => {
    expect(breakerSettingsFromEnv({})).toEqual({ burst: 100, refillPerSecond: 1 });
  });

  it('reads the raised settings the GitOps install gives Crossplane', () => {
    expect(breakerSettingsFromEnv({ K8TRE_CIRCUIT_BREAKER_BURST: '25000', K8TRE_CIRCUIT_BREAKER_REFILL_RATE: '100' })).toEqual({
      burst: 25000,
      refillPerSecond: 100,
    });
  });

  it('reads back what an install sets: the e2e harness starts the function with breakerEnv', () => {
    expect(breakerSettingsFromEnv(breakerEnv({ burst: 5000, refillPerSecond: 2.5 }))).toEqual({ burst: 5000, refillPerSecond: 2.5 });
  });

  it('refuses a value Crossplane would not run with, naming the variable', () => {
    expect(() => breakerSettingsFromEnv({ K8TRE_CIRCUIT_BREAKER_BURST: 'lots' })).toThrow(/K8TRE_CIRCUIT_BREAKER_BURST="lots"/);
    expect(() => breakerSettingsFromEnv({ K8TRE_CIRCUIT_BREAKER_REFILL_RATE: '0' })).toThrow(/K8TRE_CIRCUIT_BREAKER_REFILL_RATE/);
  });
});

describe('an XR composing in steps', () => {
  const network = loadExample('examples/network/k8tre.yaml');
  const stored = (xr: Json): Json => ({ ...xr, metadata: { ...(xr.metadata as Json), creationTimestamp: new Date(T0).toISOString() } });
  const composed = (rsp: ReturnType<typeof runFunction>) => Object.keys(rsp.desired?.resources ?? {});

  it('renders whole from a file: `crossplane render` reads an XR no API server stored, which carries no creation time', () => {
    const rsp = runFunction(requestFor(network), undefined, CROSSPLANE_DEFAULT_BREAKER, seconds(1));
    expect(composed(rsp).length).toBeGreaterThan(10);
    expect(rsp.conditions.find((c) => c.type === RESOURCES_COMPOSED)).toMatchObject({ status: Status.STATUS_CONDITION_TRUE, reason: 'AllComposed' });
  });

  it('composes the first few on a live control plane, says so in ResourcesComposed, stays not Ready, and asks to be called again', () => {
    const whole = composed(runFunction(requestFor(network), undefined, CROSSPLANE_DEFAULT_BREAKER, seconds(1)));
    const rsp = runFunction(requestFor(stored(network)), undefined, CROSSPLANE_DEFAULT_BREAKER, seconds(1));
    expect(composed(rsp).length).toBeLessThan(whole.length);
    expect(composed(rsp).length).toBeGreaterThan(0);
    const condition = rsp.conditions.find((c) => c.type === RESOURCES_COMPOSED);
    expect(condition).toMatchObject({ status: Status.STATUS_CONDITION_FALSE, reason: 'Pacing' });
    expect(condition?.message).toMatch(/K8TRE_CIRCUIT_BREAKER_BURST/);
    expect(rsp.desired?.composite?.ready).toBe(Ready.READY_FALSE);
    // The first step's three managed resources leave 7 of the 70 free; the next step needs 52.5,
    // 46 s at 1 a second (the SDK's own default TTL is 60).
    expect(rsp.meta?.ttl?.seconds).toBe(46);
  });

  it('says the same at every step, since each change of its status costs the XR and its parent a watch event', () => {
    const first = runFunction(requestFor(stored(network)), undefined, CROSSPLANE_DEFAULT_BREAKER, seconds(1));
    const observed = Object.fromEntries(
      Object.entries(first.desired?.resources ?? {}).map(([name, r]) => [
        name,
        {
          ...(r.resource as Json),
          metadata: { ...((r.resource as Json).metadata as Json), creationTimestamp: new Date(seconds(1)).toISOString() },
          status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(seconds(5)).toISOString() }] },
        },
      ]),
    );
    const second = runFunction(requestFor(stored(network), {}, observed), undefined, CROSSPLANE_DEFAULT_BREAKER, seconds(300));
    expect(composed(second).length).toBeGreaterThan(composed(first).length);
    const message = (rsp: typeof first) => rsp.conditions.find((c) => c.type === RESOURCES_COMPOSED && c.reason === 'Pacing')?.message;
    expect(message(second)).toBeDefined();
    expect(message(second)).toBe(message(first));
  });

  it('never drops what exists, however empty the bucket: a resource observed stays desired', () => {
    const first = runFunction(requestFor(stored(network)), undefined, CROSSPLANE_DEFAULT_BREAKER, seconds(1));
    // Everything the first step composed exists, all created this second: the bucket is spent.
    const observed = Object.fromEntries(
      Object.entries(first.desired?.resources ?? {}).map(([name, r]) => [
        name,
        { ...(r.resource as Json), metadata: { ...((r.resource as Json).metadata as Json), creationTimestamp: new Date(seconds(1)).toISOString() } },
      ]),
    );
    const next = runFunction(requestFor(stored(network), {}, observed), undefined, CROSSPLANE_DEFAULT_BREAKER, seconds(1));
    expect(composed(next)).toEqual(expect.arrayContaining(Object.keys(observed)));
    expect(composed(next).length).toBe(Object.keys(observed).length);
  });

  it("a network's SpokesComposed names what the spokes wait for, not which of it is still missing: it stays the same as each becomes ready", () => {
    const rendered = run(network);
    const readyOnes = (names: readonly string[]) =>
      Object.fromEntries(names.map((name) => [name, { ...desired(rendered, name), status: { conditions: [{ type: 'Ready', status: 'True' }] } }]));
    const spokes = (observed: Record<string, Json>) => run(network, observed).conditions.find((c) => c.type === 'SpokesComposed')?.message;
    expect(spokes(readyOnes([keys.resourceGroup]))).toMatch(/^Waiting for the resource group .*, the hub VNet, the private-link zones to become ready/);
    expect(spokes(readyOnes([keys.resourceGroup, keys.hubVnet]))).toBe(spokes(readyOnes([keys.resourceGroup])));
  });
});
