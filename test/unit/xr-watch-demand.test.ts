import { describe, expect, it } from 'vitest';
import type { KubeObject, WatchPhase } from '../../e2e/lib/kube.js';
import { breakerSettings, DEFAULT_BREAKER, XrWatchDemand } from '../../e2e/lib/xr-watch-demand.js';

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
    expect(demand(events).needs(1, 60_000)).toEqual([{ xr: SPOKE, tokens: 120 }]);
  });

  it('starts afresh when Crossplane restarts (a full bucket), charging 1 per object its caches list again', () => {
    const recorded = demand(Array.from({ length: 40 }, (_, i): Event => [0, 'MODIFIED', composedBy('dev', { uid: `o${i}` })]));
    recorded.restarted(1000);
    expect(recorded.needs(1, 500)).toEqual([{ xr: SPOKE, tokens: 40 }]);
    expect(need(recorded)).toEqual({ [SPOKE]: 80 });
  });

  it('summarises by kind of XR, counting those over the burst', () => {
    const recorded = demand([
      ...Array.from({ length: 60 }, (_, i): Event => [0, 'MODIFIED', composedBy('dev', { uid: `o${i}` })]),
      [0, 'ADDED', composedBy('stg', { uid: 's' })],
    ]);
    expect(recorded.summary(DEFAULT_BREAKER)).toMatchObject({ XK8treSpoke: { largest: 120, xr: SPOKE, xrsOverBurst: 1 } });
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
    expect(recorded.summary(DEFAULT_BREAKER).XK8treSpoke?.perComposed).toEqual({ tokens: 12.3, xr: SPOKE, composed: 3, burstHolds: 8 });
  });
});

describe("Crossplane's breaker settings, from its arguments", () => {
  it('reads both forms of a flag, and takes the default where one is missing', () => {
    expect(breakerSettings(['--circuit-breaker-burst=5000', '--circuit-breaker-cooldown=30s'])).toEqual({ burst: 5000, refillPerSecond: 1 });
    expect(breakerSettings(['--circuit-breaker-refill-rate', '10'])).toEqual({ burst: 100, refillPerSecond: 10 });
  });
});
