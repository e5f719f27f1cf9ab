import { describe, expect, it } from 'vitest';
import type { KubeObject, WatchPhase } from '../../e2e/lib/kube.js';
import { breakerSettings, XrWatchDemand } from '../../e2e/lib/xr-watch-demand.js';
import { CROSSPLANE_DEFAULT_BREAKER } from '../../functions/k8tre/lib/pacing.js';

// The end-to-end run says how large a circuit-breaker bucket each XR needed (README, "Crossplane's
// circuit breaker"). These cases hold that arithmetic to what Crossplane v2.3.4 charges.

const XR_API = 'azure.k8tre.io/v1alpha1';
const SPOKE = 'XK8treSpoke/k8tre/dev';

const composedBy = (xr: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'network.azure.m.upbound.io/v1beta1',
  kind: 'Subnet',
  metadata: {
    name: 'snet',
    namespace: 'k8tre',
    uid: 'subnet',
    ownerReferences: [{ apiVersion: XR_API, kind: 'XK8treSpoke', name: xr, uid: 'u', controller: true }],
    ...extra,
  },
});

type Event = [at: number, phase: WatchPhase, object: KubeObject];

/** Each event a new resource version of its object, as the API server sends them. */
function demand(events: readonly Event[]): XrWatchDemand {
  const recorded = new XrWatchDemand(XR_API);
  events.forEach(([at, phase, object], i) => recorded.record(phase, { ...object, metadata: { resourceVersion: String(i + 1), ...object.metadata } }, at));
  return recorded;
}

const need = (recorded: XrWatchDemand, refill = 1) => Object.fromEntries(recorded.needs(refill).map((n) => [n.xr, n.tokens]));

describe("an XR's need for circuit-breaker tokens", () => {
  it('charges a create 1 and an update 2, as the map function is called once and twice', () => {
    const o = composedBy('dev');
    expect(
      need(
        demand([
          [0, 'ADDED', o],
          [0, 'MODIFIED', o],
          [0, 'MODIFIED', o],
        ]),
      ),
    ).toEqual({ [SPOKE]: 5 });
  });

  it('charges the update that starts a deletion 1 (the old object) and the rest of it nothing: Crossplane lets those through', () => {
    const going = composedBy('dev', { deletionTimestamp: new Date('2026-12-02T00:00:00Z') });
    expect(
      need(
        demand([
          [0, 'ADDED', composedBy('dev')],
          [0, 'MODIFIED', going],
          [0, 'MODIFIED', going],
          [0, 'DELETED', going],
        ]),
      ),
    ).toEqual({ [SPOKE]: 2 });
  });

  it('charges each XR its own events, by the controller owner', () => {
    expect(
      need(
        demand([
          [0, 'MODIFIED', composedBy('dev')],
          [0, 'ADDED', composedBy('stg', { uid: 'other' })],
        ]),
      ),
    ).toEqual({
      [SPOKE]: 2,
      'XK8treSpoke/k8tre/stg': 1,
    });
  });

  it('charges an XR for its own updates too, and a child XR its parent: Crossplane watches both', () => {
    const spoke: KubeObject = {
      apiVersion: XR_API,
      kind: 'XK8treSpoke',
      metadata: {
        name: 'dev',
        namespace: 'k8tre',
        uid: 'spoke',
        ownerReferences: [{ apiVersion: XR_API, kind: 'XK8treSpokeGroup', name: 'spokes-1', uid: 'g', controller: true }],
      },
    };
    expect(need(demand([[0, 'MODIFIED', spoke]]))).toEqual({ [SPOKE]: 2, 'XK8treSpokeGroup/k8tre/spokes-1': 2 });
  });

  it('charges no XR for what a managed resource owns, such as the AKS connection Secret: Crossplane does not watch it for the XR', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'dev-aks',
        namespace: 'k8tre',
        ownerReferences: [
          { apiVersion: 'containerservice.azure.m.upbound.io/v1beta1', kind: 'KubernetesCluster', name: 'dev-aks', uid: 'u', controller: true },
        ],
      },
    };
    expect(need(demand([[0, 'ADDED', secret]]))).toEqual({});
  });

  it("charges nothing when the harness's own watch starts again and lists an object at a version it has seen", () => {
    const recorded = new XrWatchDemand(XR_API);
    const o = composedBy('dev', { resourceVersion: '7' });
    recorded.record('ADDED', o, 0);
    recorded.record('ADDED', o, 0);
    expect(need(recorded)).toEqual({ [SPOKE]: 1 });
  });

  it('credits the refill between events: 50 updates a second apart gain 1 token each at 1/s, none at 2/s', () => {
    const spread = Array.from({ length: 50 }, (_, i): Event => [i * 1000, 'MODIFIED', composedBy('dev')]);
    expect(need(demand(spread), 1)).toEqual({ [SPOKE]: 51 });
    expect(need(demand(spread), 2)).toEqual({ [SPOKE]: 2 });
  });

  it('rounds a part of a token up: two updates 1.5 s apart need 2.5 tokens, so 3', () => {
    expect(
      need(
        demand([
          [0, 'MODIFIED', composedBy('dev')],
          [1500, 'MODIFIED', composedBy('dev')],
        ]),
      ),
    ).toEqual({ [SPOKE]: 3 });
  });

  it('finds the worst stretch, not the whole run: a burst after a quiet minute needs the burst', () => {
    const events: Event[] = [[0, 'ADDED', composedBy('dev')], ...Array.from({ length: 60 }, (_, i): Event => [60_000 + i, 'MODIFIED', composedBy('dev')])];
    expect(need(demand(events))).toEqual({ [SPOKE]: 120 });
    expect(demand(events).needs(1, 60_000)).toEqual([{ xr: SPOKE, tokens: 120, from: 60_000, to: 60_059 }]);
  });

  it("says what an XR was charged for in a stretch, and what its own updates changed: the paced scenario's report when it needs too much", () => {
    const own = (ready: string): KubeObject => ({
      apiVersion: XR_API,
      kind: 'XK8treSpoke',
      metadata: { name: 'dev', namespace: 'k8tre', uid: 'spoke' },
      status: { conditions: [{ type: 'Ready', status: ready, lastTransitionTime: ready === 'True' ? '2026-12-03T00:00:01Z' : '2026-12-03T00:00:00Z' }] },
    });
    const recorded = demand([
      [0, 'ADDED', own('False')],
      [1000, 'MODIFIED', composedBy('dev')],
      [2000, 'MODIFIED', own('True')],
    ]);
    expect(recorded.chargedBetween(SPOKE, 1000, 2000)).toEqual({ Subnet: 2, 'self: status.conditions[Ready]': 2 });
  });

  it("names a child XR's own writes by its kind where they charge its parent: the first paced run with a cluster called them the parent's", () => {
    const child = (ready: string): KubeObject => ({
      apiVersion: XR_API,
      kind: 'XK8treWorkloadIdentity',
      metadata: {
        name: 'dev-id-app',
        namespace: 'k8tre',
        uid: 'identity',
        ownerReferences: [{ apiVersion: XR_API, kind: 'XK8treWorkloadIdentityGroup', name: 'dev-identities-0', controller: true, uid: 'group' }],
      },
      status: { conditions: [{ type: 'Ready', status: ready, lastTransitionTime: '2026-12-03T00:00:00Z' }] },
    });
    const recorded = demand([
      [0, 'ADDED', child('False')],
      [1000, 'MODIFIED', child('True')],
    ]);
    expect(recorded.chargedBetween('XK8treWorkloadIdentityGroup/k8tre/dev-identities-0', 1000, 1000)).toEqual({
      'XK8treWorkloadIdentity: status.conditions[Ready]': 2,
    });
    expect(recorded.chargedBetween('XK8treWorkloadIdentity/k8tre/dev-id-app', 1000, 1000)).toEqual({ 'self: status.conditions[Ready]': 2 });
  });

  it("tells Crossplane's stale-condition loop (crossplane#7062) by its writes putting back, within 2 s, the conditions of two writes before, and can leave it out", () => {
    const own = (observedGeneration: number): KubeObject => ({
      apiVersion: XR_API,
      kind: 'XK8treSpoke',
      metadata: { name: 'dev', namespace: 'k8tre', uid: 'spoke', generation: 2 },
      status: { conditions: [{ type: 'Synced', status: 'True', observedGeneration, lastTransitionTime: `2026-12-03T00:00:0${observedGeneration}Z` }] },
    });
    // Generation 2 is written, then the stale read puts generation 1's conditions back and the
    // reconcile writes 2's again, 20 times: 40 writes of the loop, 80 tokens to the XR.
    const flips = Array.from({ length: 40 }, (_, i): Event => [1000 + i * 10, 'MODIFIED', own(i % 2 === 0 ? 1 : 2)]);
    const recorded = demand([[0, 'ADDED', own(1)], [900, 'MODIFIED', own(2)], ...flips]);
    expect(recorded.staleLoops()).toEqual({ [SPOKE]: { writes: 40, tokens: 80 } });
    expect(need(recorded)).toEqual({ [SPOKE]: 82 });
    expect(recorded.needs(1, 0, { withoutStaleLoop: true })).toMatchObject([{ xr: SPOKE, tokens: 3 }]);
    expect(recorded.chargedBetween(SPOKE, 1000, 1010)).toEqual({ 'stale-condition loop, self: status.conditions[Synced]': 4 });
  });

  it('does not take a condition that comes back minutes later for the loop: a real change, as a breaker closing again', () => {
    const own = (status: string): KubeObject => ({
      apiVersion: XR_API,
      kind: 'XK8treSpoke',
      metadata: { name: 'dev', namespace: 'k8tre', uid: 'spoke' },
      status: { conditions: [{ type: 'Responsive', status }] },
    });
    const recorded = demand([
      [0, 'ADDED', own('True')],
      [1000, 'MODIFIED', own('False')],
      [301_000, 'MODIFIED', own('True')],
    ]);
    expect(recorded.staleLoops()).toEqual({});
  });

  it('starts afresh when Crossplane restarts (a full bucket), charging 1 per object its caches list again', () => {
    const recorded = demand(Array.from({ length: 40 }, (_, i): Event => [0, 'MODIFIED', composedBy('dev', { uid: `o${i}` })]));
    recorded.restarted(1000);
    expect(recorded.needs(1, 500)).toEqual([{ xr: SPOKE, tokens: 40, from: 1000, to: 1000 }]);
    expect(need(recorded)).toEqual({ [SPOKE]: 80 });
  });

  it('summarises by kind of XR, counting those over the burst', () => {
    const recorded = demand([
      ...Array.from({ length: 60 }, (_, i): Event => [0, 'MODIFIED', composedBy('dev', { uid: `o${i}` })]),
      [0, 'ADDED', composedBy('stg', { uid: 's' })],
    ]);
    expect(recorded.summary(CROSSPLANE_DEFAULT_BREAKER)).toMatchObject({ XK8treSpoke: { largest: 120, xr: SPOKE, xrsOverBurst: 1 } });
  });

  it('says how many objects an XR of each kind could compose within the burst, from the most tokens any XR needed per object it composed', () => {
    // dev: 3 objects, each created and updated 4 times (9 tokens each, as a provider's first
    // writes cost), and its own 5 updates (10 more): 37 tokens, 12.3 per object, so the default
    // bucket holds 8 such objects. stg's 1 object needs 1 token: it is not the worst.
    const own: KubeObject = { apiVersion: XR_API, kind: 'XK8treSpoke', metadata: { name: 'dev', namespace: 'k8tre', uid: 'spoke' } };
    const recorded = demand([
      ...['a', 'b', 'c'].flatMap((uid): Event[] => [
        [0, 'ADDED', composedBy('dev', { uid })],
        ...Array.from({ length: 4 }, (): Event => [0, 'MODIFIED', composedBy('dev', { uid })]),
      ]),
      ...Array.from({ length: 5 }, (): Event => [0, 'MODIFIED', own]),
      [0, 'ADDED', composedBy('stg', { uid: 's' })],
    ]);
    expect(recorded.summary(CROSSPLANE_DEFAULT_BREAKER).XK8treSpoke?.perComposed).toEqual({ tokens: 12.3, xr: SPOKE, composed: 3, burstHolds: 8 });
  });

  it("says what each kind of object cost its XR, the most for one object, and the XR's own events per object it composed: what the function's pacing assumes", () => {
    // dev: subnet a costs 9 (created, updated 4 times), b 3; a route table 5; its own 3 updates 6,
    // 2 per each of its 3 objects. stg's subnet costs 11: the most for a subnet of any spoke.
    const own: KubeObject = { apiVersion: XR_API, kind: 'XK8treSpoke', metadata: { name: 'dev', namespace: 'k8tre', uid: 'spoke' } };
    const table = (uid: string): KubeObject => ({ ...composedBy('dev', { uid }), kind: 'RouteTable' });
    const recorded = demand([
      [0, 'ADDED', composedBy('dev', { uid: 'a' })],
      ...Array.from({ length: 4 }, (): Event => [0, 'MODIFIED', composedBy('dev', { uid: 'a' })]),
      [0, 'ADDED', composedBy('dev', { uid: 'b' })],
      [0, 'MODIFIED', composedBy('dev', { uid: 'b' })],
      [0, 'ADDED', table('t')],
      [0, 'MODIFIED', table('t')],
      [0, 'MODIFIED', table('t')],
      ...Array.from({ length: 3 }, (): Event => [0, 'MODIFIED', own]),
      [0, 'ADDED', composedBy('stg', { uid: 's' })],
      ...Array.from({ length: 5 }, (): Event => [0, 'MODIFIED', composedBy('stg', { uid: 's' })]),
    ]);
    expect(recorded.costBySource().XK8treSpoke).toEqual({
      Subnet: { tokens: 11, xr: 'XK8treSpoke/k8tre/stg' },
      RouteTable: { tokens: 5, xr: SPOKE },
      self: { tokens: 2, xr: SPOKE },
    });
  });
});

describe("Crossplane's breaker settings, from its arguments", () => {
  it('reads both forms of a flag, and takes the default where one is missing', () => {
    expect(breakerSettings(['--circuit-breaker-burst=5000', '--circuit-breaker-cooldown=30s'])).toEqual({ burst: 5000, refillPerSecond: 1 });
    expect(breakerSettings(['--circuit-breaker-refill-rate', '10'])).toEqual({ burst: 100, refillPerSecond: 10 });
  });
});
