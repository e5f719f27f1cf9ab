import { Ready, Status, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/k8tre/cluster/naming.js';
import { holds } from '../../functions/k8tre/lib/child-xr-readiness.js';
import { loadExample, run, runWithRequired, settledDevCluster, settledNetwork, type Json } from '../support/function.js';

// Crossplane derives an XR's readiness from its composed resources unless the function says
// otherwise, and an XR that has composed nothing is "all ready". A live control plane showed
// a cluster waiting for its network as Ready=True (the e2e suite holds it there too); these
// cases hold the rule at the function: while any condition the function owns is False, the
// composite is explicitly not ready.

const readiness = (rsp: RunFunctionResponse) => rsp.desired?.composite?.ready;

describe("the composite's readiness", () => {
  it('is False for a cluster waiting for its network, which composes nothing', () => {
    // The network exists but has reported nothing yet, as just after both are applied.
    const network = loadExample('examples/network/k8tre.yaml');
    const rsp = runWithRequired(loadExample('examples/cluster/dev.yaml'), { network: [network] });
    expect(rsp.conditions.find((c) => c.type === 'NetworkReady')?.reason).toBe('WaitingForNetwork');
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual([]);
    expect(readiness(rsp)).toBe(Ready.READY_FALSE);
  });

  it('is False for a network whose gateway waits for its prerequisites', () => {
    const rsp = run(loadExample('examples/network/k8tre.yaml'));
    expect(rsp.conditions.find((c) => c.type === 'GatewayComposed')?.reason).toBe('WaitingForPrerequisites');
    expect(readiness(rsp)).toBe(Ready.READY_FALSE);
  });

  it('is False while the cluster waits for a fact, even when every composed resource is ready', () => {
    // The AKS cluster observed Ready but without its OIDC issuer yet, as Azure reports it for a
    // moment: the federations wait for it, and nothing composed is unready to say so.
    const { required, xr, observed } = settledDevCluster();
    const aks = observed[keys.cluster] as { status: { atProvider: Json } };
    delete aks.status.atProvider.oidcIssuerUrl;
    const rsp = runWithRequired(xr, required, observed);
    const unready = Object.entries(rsp.desired?.resources ?? {}).filter(([, r]) => r.ready !== Ready.READY_TRUE);
    expect(unready.map(([name]) => name)).toEqual([]);
    expect(rsp.conditions.find((c) => c.type === 'Composed')?.message).toMatch(/OIDC issuer/);
    expect(readiness(rsp)).toBe(Ready.READY_FALSE);
  });

  it('is left to Crossplane, which reads the composed resources, once nothing the XR owns waits', () => {
    const { required, xr, observed } = settledDevCluster();
    const rsp = runWithRequired(xr, required, observed);
    expect(rsp.conditions.every((c) => c.status === Status.STATUS_CONDITION_TRUE)).toBe(true);
    expect(readiness(rsp)).toBe(Ready.READY_UNSPECIFIED);
  });
});

describe("a provider's error on a composed resource", () => {
  // Crossplane calls an XR Synced once it has applied what the function asked for; Azure's
  // refusal is only in the managed resource's own Synced condition, which nobody reads on the XR.
  const azureError =
    'update failed: async update failed: failed to update the resource: [{0 updating Application Gateway: RESPONSE 400: 400 Bad Request ERROR CODE: ApplicationGatewayListenerLimitReached}]';

  it("shows on the XR as ResourcesSynced=False with Azure's message, naming the resource, and makes it not ready", () => {
    const { required, xr, observed } = settledDevCluster();
    const aks = observed[keys.cluster] as { status: { conditions: Json[] } };
    aks.status.conditions = aks.status.conditions.map((c) =>
      c.type === 'Synced' ? { type: 'Synced', status: 'False', reason: 'ReconcileError', message: azureError } : c,
    );
    const rsp = runWithRequired(xr, required, observed);
    const synced = rsp.conditions.find((c) => c.type === 'ResourcesSynced');
    expect(synced).toMatchObject({ status: Status.STATUS_CONDITION_FALSE, reason: 'ProviderError', message: `${keys.cluster}: ${azureError}` });
    expect(readiness(rsp)).toBe(Ready.READY_FALSE);
  });

  it('changes nothing the function composes: the failing resource and every other stay as desired', () => {
    const { required, xr, observed } = settledDevCluster();
    const healthy = runWithRequired(xr, required, structuredClone(observed));
    const aks = observed[keys.cluster] as { status: { conditions: Json[] } };
    aks.status.conditions = [{ type: 'Synced', status: 'False', reason: 'ReconcileError', message: azureError }];
    const failing = runWithRequired(xr, required, observed);
    const manifests = (rsp: RunFunctionResponse) => Object.fromEntries(Object.entries(rsp.desired?.resources ?? {}).map(([name, r]) => [name, r.resource]));
    expect(manifests(failing)).toEqual(manifests(healthy));
  });

  it('is not raised while a provider waits for a referenced resource, as it does in every convergence', () => {
    // crossplane-runtime marks Synced=False until a reference resolves; ArgoCD would call every
    // new XR Degraded if that counted as an error.
    const { required, xr, observed } = settledDevCluster();
    const aks = observed[keys.cluster] as { status: { conditions: Json[] } };
    aks.status.conditions = [
      {
        type: 'Synced',
        status: 'False',
        reason: 'ReconcileError',
        message: 'mg.Spec.ForProvider.DefaultNodePool[0].VnetSubnetID: referenced field was empty (referenced resource may not yet be ready)',
      },
    ];
    const synced = runWithRequired(xr, required, observed).conditions.find((c) => c.type === 'ResourcesSynced');
    expect(synced).toMatchObject({ status: Status.STATUS_CONDITION_TRUE, reason: 'AllSynced' });
  });

  it("reaches the cluster from its data stores' own resources, through their ResourcesSynced", () => {
    // The Key Vault is composed by the cluster's XK8treDataStores: Azure's refusal of it must still
    // show on the cluster, which people and ArgoCD look at.
    const { required, xr, observed } = settledDevCluster();
    const stores = observed[keys.dataStores] as { status: { conditions?: Json[] } };
    stores.status.conditions = [{ type: 'ResourcesSynced', status: 'False', reason: 'ProviderError', message: `${keys.keyVault}: ${azureError}` }];
    const synced = runWithRequired(xr, required, observed).conditions.find((c) => c.type === 'ResourcesSynced');
    expect(synced).toMatchObject({ status: Status.STATUS_CONDITION_FALSE, message: `${keys.dataStores}: ${keys.keyVault}: ${azureError}` });
  });

  it('is ResourcesSynced=True once every provider has reconciled', () => {
    const { required, xr, observed } = settledDevCluster();
    expect(runWithRequired(xr, required, observed).conditions.find((c) => c.type === 'ResourcesSynced')).toMatchObject({
      status: Status.STATUS_CONDITION_TRUE,
      reason: 'AllSynced',
    });
  });
});

describe("a spoke group's readiness, as its network sees it", () => {
  // A group reports Ready for the spec it last reconciled. In the reconcile that adds an
  // environment, and until the group has reconciled the change, that is an older spec: `npm run
  // e2e` saw the network Ready with nothing composed for the new environment.
  const settled = settledNetwork();
  const GROUP_KEY = 'spokes-1';
  const groupReady = (rsp: RunFunctionResponse) => rsp.desired?.resources?.[GROUP_KEY]?.ready;

  it('is True once the group is Ready for what the network asks of it', () => {
    expect(groupReady(run(settled.xr, settled.observed))).toBe(Ready.READY_TRUE);
  });

  // What "the group has every field desired" means, case by case.
  it.each([
    ['the API server added a field (a default, spec.crossplane)', { a: 1, crossplane: {} }, { a: 1 }, true],
    ['a field asked for is missing', {}, { a: 1 }, false],
    ['a field asked for differs', { a: 2 }, { a: 1 }, false],
    ['an undefined field is not asked for', {}, { a: undefined }, true],
    ['a list is the same, item by item', { l: [{ n: 1, extra: 0 }] }, { l: [{ n: 1 }] }, true],
    ['a list has an item more', { l: [1, 2] }, { l: [1] }, false],
    ['a list item differs', { l: [1, 3] }, { l: [1, 2] }, false],
    ['an object is asked for where a list is', { l: [] }, { l: {} }, false],
  ] as const)('holds: %s', (_why, observed, desired, expected) => {
    expect(holds(observed, desired)).toBe(expected);
  });

  it('is False in the reconcile that gives the group a new environment, though the group still says Ready', () => {
    const spec = settled.xr.spec as { environments: Json[] };
    const withQa = { ...settled.xr, spec: { ...spec, environments: [...spec.environments, { name: 'qa' }] } };
    expect(groupReady(run(withQa, settled.observed))).toBe(Ready.READY_FALSE);
  });

  it('is False while its Ready condition is of an older generation than its spec', () => {
    const group = settled.observed[GROUP_KEY] as { metadata: Json; status: { conditions: Json[] } };
    const stale = {
      ...group,
      metadata: { ...group.metadata, generation: 3 },
      status: { ...group.status, conditions: group.status.conditions.map((c) => ({ ...c, observedGeneration: 2 })) },
    };
    expect(groupReady(run(settled.xr, { ...settled.observed, [GROUP_KEY]: stale }))).toBe(Ready.READY_FALSE);
  });

  // Crossplane stamps Ready with the generation its status patch reloads, which an edit made
  // during the reconcile has already moved on: the clean-clone CI saw a network Ready 2 s after an
  // environment was added. The generation the group's function composed is the one to trust.
  const atGeneration = (generation: number, composed: number) => {
    const group = settled.observed[GROUP_KEY] as { metadata: Json; status: { conditions: Json[] } };
    return {
      ...group,
      metadata: { ...group.metadata, generation },
      status: { ...group.status, observedGeneration: composed, conditions: group.status.conditions.map((c) => ({ ...c, observedGeneration: generation })) },
    };
  };

  it('is False while Ready names the latest generation but the function composed an older one', () => {
    expect(groupReady(run(settled.xr, { ...settled.observed, [GROUP_KEY]: atGeneration(3, 2) }))).toBe(Ready.READY_FALSE);
  });

  it('is True once the function has composed the latest generation and Ready names it', () => {
    expect(groupReady(run(settled.xr, { ...settled.observed, [GROUP_KEY]: atGeneration(3, 3) }))).toBe(Ready.READY_TRUE);
  });
});

describe('the generation an XR says it composed', () => {
  // What a parent, the e2e harness and ArgoCD's health check compare with metadata.generation.
  it('is the generation of the XR in the request', () => {
    const { xr, observed } = settledNetwork();
    const edited = { ...xr, metadata: { ...(xr.metadata as Json), generation: 7 } };
    expect((run(edited, observed).desired?.composite?.resource as { status?: Json })?.status?.observedGeneration).toBe(7);
  });

  it('is absent for an XR read from a file, which has no generation (crossplane render)', () => {
    const { xr, observed } = settledNetwork();
    expect((run(xr, observed).desired?.composite?.resource as { status?: Json })?.status).not.toHaveProperty('observedGeneration');
  });
});
