import { describe, expect, it } from 'vitest';
import type { KubeObject, WatchPhase } from '../../e2e/lib/kube.js';
import { XrWatchDemand } from '../../e2e/lib/xr-watch-demand.js';

// The end-to-end run says how large a circuit-breaker bucket each XR needed (README, "Crossplane's
// circuit breaker"). These cases hold that arithmetic to what Crossplane v2.3.4 charges.

const composedBy = (xr: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'network.azure.m.upbound.io/v1beta1',
  kind: 'Subnet',
  metadata: {
    name: 'snet',
    namespace: 'k8tre',
    ownerReferences: [{ apiVersion: 'azure.k8tre.io/v1alpha1', kind: 'XK8treSpoke', name: xr, uid: 'u', controller: true }],
    ...extra,
  },
});

function need(events: readonly [number, WatchPhase, KubeObject][], refill: number): Record<string, number> {
  const demand = new XrWatchDemand('azure.k8tre.io/v1alpha1');
  for (const [at, phase, object] of events) demand.record(phase, object, at);
  return Object.fromEntries(demand.needs(refill).map((n) => [n.xr, n.tokens]));
}

describe("an XR's need for circuit-breaker tokens", () => {
  it('charges a create 1 and an update 2, as the map function is called once and twice', () => {
    const o = composedBy('dev');
    expect(
      need(
        [
          [0, 'ADDED', o],
          [0, 'MODIFIED', o],
          [0, 'MODIFIED', o],
        ],
        1,
      ),
    ).toEqual({ 'XK8treSpoke/k8tre/dev': 5 });
  });

  it('charges nothing for an object being deleted: Crossplane lets those events through', () => {
    const going = composedBy('dev', { deletionTimestamp: new Date('2026-12-02T00:00:00Z') });
    expect(
      need(
        [
          [0, 'MODIFIED', going],
          [0, 'DELETED', going],
        ],
        1,
      ),
    ).toEqual({});
  });

  it('charges each XR its own events, by the controller owner', () => {
    expect(
      need(
        [
          [0, 'MODIFIED', composedBy('dev')],
          [0, 'ADDED', composedBy('stg')],
        ],
        1,
      ),
    ).toEqual({ 'XK8treSpoke/k8tre/dev': 2, 'XK8treSpoke/k8tre/stg': 1 });
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
    expect(need([[0, 'ADDED', secret]], 1)).toEqual({});
  });

  it('credits the refill between events: 50 updates a second apart gain 1 token each at 1/s, none at 2/s', () => {
    const o = composedBy('dev');
    const spread = Array.from({ length: 50 }, (_, i) => [i * 1000, 'MODIFIED', o] as [number, WatchPhase, KubeObject]);
    expect(need(spread, 1)).toEqual({ 'XK8treSpoke/k8tre/dev': 51 });
    expect(need(spread, 2)).toEqual({ 'XK8treSpoke/k8tre/dev': 2 });
  });

  it('finds the worst stretch, not the whole run: a burst after a quiet minute needs the burst', () => {
    const o = composedBy('dev');
    const events: [number, WatchPhase, KubeObject][] = [
      [0, 'ADDED', o],
      ...Array.from({ length: 60 }, (_, i) => [60_000 + i, 'MODIFIED', o] as [number, WatchPhase, KubeObject]),
    ];
    expect(need(events, 1)).toEqual({ 'XK8treSpoke/k8tre/dev': 120 });
  });
});
