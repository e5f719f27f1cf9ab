import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';
import { lastRound, reconcileUntilSettled, toRound, type Manifest, type Round } from '../../scripts/lib/reconcile.js';
import { fatalMessage, loadExample, run, settledExampleResources, withField, type Json } from '../support/function.js';
import { settleNetwork, useRenderSession } from '../support/render.js';
import { assessHealth, healthScripts, scriptFor, type Health } from '../support/argocd-health.js';

// The health checks ArgoCD runs (examples/gitops/bootstrap/argocd-cm.yaml), run in a Lua VM
// against XRs as the real CLI renders them, composed resources as the simulated providers
// report them, and failures as Crossplane and the providers write them.

const scripts = healthScripts();
const session = useRenderSession();
const work = mkdtempSync(join(tmpdir(), 'k8tre-health-'));

function health(resource: Json | Manifest): Health {
  const script = scriptFor(scripts, String(resource.apiVersion), String(resource.kind));
  if (!script) throw new Error(`argocd-cm has no health check for ${String(resource.apiVersion)} ${String(resource.kind)}`);
  return assessHealth(script, resource);
}

const at = '2024-01-01T00:00:00Z';
const condition = (type: string, status: 'True' | 'False', reason: string, message?: string) => ({ type, status, reason, message, lastTransitionTime: at });

/** A composed network as Crossplane reports it, Synced and with its gateway composed, plus the conditions given. */
const withConditions = (xr: Json | Manifest, ...conditions: ReturnType<typeof condition>[]) => ({
  ...xr,
  status: {
    ...(xr.status as Json),
    conditions: [condition('Synced', 'True', 'ReconcileSuccess'), condition('GatewayComposed', 'True', 'Composed'), ...conditions],
  },
});

describe('XR health (azure.k8tre.io)', () => {
  let networkRounds: Round[];
  let network: Round;
  beforeAll(async () => {
    networkRounds = await reconcileUntilSettled(session(), 'examples/network/k8tre.yaml');
    network = await settleNetwork(session(), 'examples/network/k8tre.yaml', work, 'network');
  });

  it('a network still being composed is Progressing, with the step it waits for', () => {
    expect(health(networkRounds[0]!.xr)).toEqual({
      status: 'Progressing',
      message: 'GatewayComposed: Waiting for the gateway identity id-k8tre-appgw to report its ID',
    });
  });

  it('a network whose composed resources are all ready is Healthy', () => {
    expect(health(network.xr)).toEqual({ status: 'Healthy', message: '' });
  });

  it('a network edited after the function composed it is Progressing, though Crossplane stamped Ready with the new generation', () => {
    // Crossplane reads the generation it stamps on Ready after its status patch, so a reconcile of
    // generation 4 that ends after an edit to 5 says Ready for 5; the function says it composed 4.
    const edited = {
      ...network.xr,
      metadata: { ...(network.xr.metadata as Json), generation: 5 },
      status: { ...(network.xr.status as Json), observedGeneration: 4 },
    };
    expect(health(edited)).toEqual({ status: 'Progressing', message: 'Waiting for the function to compose generation 5' });
    expect(health({ ...edited, status: { ...edited.status, observedGeneration: 5 } })).toEqual({ status: 'Healthy', message: '' });
  });

  it('a network that has composed everything but waits on Azure says which resources', () => {
    const creating = withConditions(network.xr, condition('Ready', 'False', 'Creating', 'Unready resources: gateway'));
    expect(health(creating)).toEqual({ status: 'Progressing', message: 'Unready resources: gateway' });
  });

  it("a network whose gateway Azure refused is Degraded with Azure's message, not Progressing for ever", () => {
    // The function raises a managed resource's Synced=False to the XR as ResourcesSynced=False.
    const refused = 'gateway: update failed: RESPONSE 400: 400 Bad Request ERROR CODE: ApplicationGatewayListenerLimitReached';
    const failing = withConditions(network.xr, condition('ResourcesSynced', 'False', 'ProviderError', refused), condition('Ready', 'False', 'Creating'));
    expect(health(failing)).toEqual({ status: 'Degraded', message: refused });
  });

  it('a cluster whose network has not reported yet is Progressing on NetworkReady', async () => {
    writeFileSync(join(work, 'network-new.yaml'), toKubernetesYaml({ ...network.xr, status: {} }));
    const result = await session().render('examples/cluster/dev.yaml', ['--required-resources', join(work, 'network-new.yaml')]);
    expect(result.ok, result.stderr).toBe(true);
    const verdict = health(toRound(result.stdout).xr);
    expect(verdict.status).toBe('Progressing');
    expect(verdict.message).toMatch(/^NetworkReady: Waiting for /);
  });

  it('a composed cluster not registered with ArgoCD yet is Progressing on ArgoCDRegistered, and Healthy once registered', async () => {
    const rounds = await reconcileUntilSettled(session(), 'examples/cluster/dev.yaml', { extraArgs: ['--required-resources', join(work, 'network.yaml')] });
    const conditionOf = (xr: Manifest, type: string) =>
      (xr.status as { conditions: { type: string; status: string }[] }).conditions.find((c) => c.type === type);
    const registering = rounds.find((r) => conditionOf(r.xr, 'Composed')?.status === 'True' && conditionOf(r.xr, 'ArgoCDRegistered')?.status === 'False');
    const verdict = health(registering!.xr);
    expect(verdict.status).toBe('Progressing');
    expect(verdict.message).toMatch(/^ArgoCDRegistered: Waiting for /);
    expect(health(lastRound(rounds).xr).status).toBe('Healthy');
  });

  it("a spec the function refuses is Degraded, with the function's message naming the field", () => {
    const bad = withField(loadExample('examples/network/k8tre.yaml'), 'spec.environments', [
      { name: 'dev', addressSpace: '10.1.0.0/16' },
      { name: 'stg', addressSpace: '10.1.16.0/20' },
    ]);
    const message = fatalMessage(run(bad));
    expect(message).toBeDefined();
    // What Crossplane writes when a pipeline step returns a Fatal result.
    const refused = {
      ...network.xr,
      status: {
        ...(network.xr.status as Json),
        conditions: [
          condition('Synced', 'False', 'ReconcileError', `cannot compose resources: pipeline step "k8tre" returned a fatal result: ${message}`),
          condition('Ready', 'True', 'Available'),
        ],
      },
    };
    const verdict = health(refused);
    expect(verdict.status).toBe('Degraded');
    expect(verdict.message).toContain('spec.environments[1].addressSpace');
  });

  it('a paused XR is Suspended', () => {
    const paused = { ...network.xr, metadata: { ...network.xr.metadata, annotations: { 'crossplane.io/paused': 'true' } } };
    expect(health(paused).status).toBe('Suspended');
  });

  it('an XR Crossplane has not reconciled yet is Progressing', () => {
    expect(health(loadExample('examples/cluster/prd.yaml'))).toEqual({ status: 'Progressing', message: 'Waiting for Crossplane to compose the resource' });
  });
});

describe('managed resource health (*.m.upbound.io, *.m.crossplane.io, Usages)', () => {
  // Core kinds (the providers' identity Secret) keep ArgoCD's built-in checks.
  const all = settledExampleResources();
  const composed = all.filter((manifest) => String(manifest.apiVersion).includes('/'));
  const byKind = (kind: string) => {
    const found = composed.find((manifest) => manifest.kind === kind);
    if (!found) throw new Error(`the examples compose no ${kind}`);
    return found;
  };

  it('leaves only core Kubernetes kinds to the built-in checks', () => {
    const core = all.filter((manifest) => !String(manifest.apiVersion).includes('/'));
    expect(new Set(core.map((manifest) => manifest.kind))).toEqual(new Set(['Secret']));
  });

  it('has a check for every kind the examples compose, and each is Healthy once the provider reports it ready', () => {
    const kinds = new Set<string>();
    for (const manifest of composed) {
      expect(health(manifest), `${String(manifest.apiVersion)} ${String(manifest.kind)}`).toEqual({ status: 'Healthy', message: '' });
      kinds.add(`${String(manifest.apiVersion)}/${String(manifest.kind)}`);
    }
    expect(kinds.size).toBeGreaterThan(25);
  });

  it('is Progressing while the provider has not observed the resource', () => {
    const { status: _observed, ...fresh } = byKind('VirtualNetwork');
    expect(health(fresh)).toEqual({ status: 'Progressing', message: 'Waiting for the provider to observe the resource' });
  });

  it('is Progressing while Azure creates it', () => {
    const creating = {
      ...byKind('KubernetesCluster'),
      status: { conditions: [condition('Synced', 'True', 'ReconcileSuccess'), condition('Ready', 'False', 'Creating')] },
    };
    expect(health(creating)).toEqual({ status: 'Progressing', message: 'Creating' });
  });

  it("is Degraded with Azure's error when an apply failed", () => {
    const azureError =
      'async create failed: failed to create the resource: [{0 creating Virtual Network: unexpected status 400 (400 Bad Request) with error: NetcfgInvalidSubnet  []}]';
    const failed = {
      ...byKind('VirtualNetwork'),
      status: {
        conditions: [
          condition('Ready', 'False', 'Creating'),
          condition('Synced', 'True', 'ReconcileSuccess'),
          condition('LastAsyncOperation', 'False', 'ApplyFailure', azureError),
        ],
      },
    };
    expect(health(failed)).toEqual({ status: 'Degraded', message: azureError });
  });

  it('is Degraded when the provider cannot reconcile it', () => {
    const failing = {
      ...byKind('RoleAssignment'),
      status: { conditions: [condition('Synced', 'False', 'ReconcileError', 'cannot get referenced ProviderConfig')] },
    };
    expect(health(failing)).toEqual({ status: 'Degraded', message: 'cannot get referenced ProviderConfig' });
  });

  it('is Degraded when a Helm release failed', () => {
    const release = {
      ...byKind('Release'),
      status: { conditions: [condition('Synced', 'True', 'ReconcileSuccess'), condition('Ready', 'False', 'Unavailable', 'release failed')] },
    };
    expect(health(release)).toEqual({ status: 'Degraded', message: 'release failed' });
  });

  it('counts provider configs, which carry no conditions, as Healthy', () => {
    const { status: _none, ...config } = byKind('ProviderConfig');
    expect(health(config).status).toBe('Healthy');
    expect(health({ apiVersion: 'azure.m.upbound.io/v1beta1', kind: 'ClusterProviderConfig', metadata: { name: 'default' }, spec: {} }).status).toBe('Healthy');
  });
});

describe('Application health (app of apps)', () => {
  const app = (status?: Json) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'k8tre-dev', namespace: 'argocd' },
    ...(status ? { status } : {}),
  });

  const synced = (revision: string) => ({ phase: 'Succeeded', message: 'successfully synced (all tasks run)', syncResult: { revision } });

  it("passes a synced child Application's own health up, so the next wave waits for it", () => {
    const current = { sync: { status: 'Synced', revision: 'abc' }, operationState: synced('abc') };
    expect(health(app({ ...current, health: { status: 'Healthy' } }))).toEqual({ status: 'Healthy', message: '' });
    expect(health(app({ ...current, health: { status: 'Degraded', message: 'XK8treCluster k8tre/dev is Degraded' } }))).toEqual({
      status: 'Degraded',
      message: 'XK8treCluster k8tre/dev is Degraded',
    });
  });

  // ArgoCD starts no sync for a commit that changes nothing of a child, nor for a child synced
  // from the start: its last operation is older than the revision it compares with, or absent.
  it('passes health up for a Synced child whatever its last operation was', () => {
    expect(health(app({ sync: { status: 'Synced', revision: 'def' }, health: { status: 'Healthy' }, operationState: synced('abc') }))).toEqual({
      status: 'Healthy',
      message: '',
    });
    expect(health(app({ sync: { status: 'Synced', revision: 'abc' }, health: { status: 'Healthy' } }))).toEqual({ status: 'Healthy', message: '' });
  });

  // ArgoCD gives an Application with no resources Healthy: one not synced yet, or whose sync
  // failed because the XRD was not served yet. The end-to-end run saw the clusters' wave start
  // while the network still composed.
  it('keeps a child that has not synced its revision Progressing, however healthy it reads', () => {
    expect(health(app())).toEqual({ status: 'Progressing', message: 'Waiting for the Application to be reconciled' });
    expect(health(app({ sync: { status: 'OutOfSync', revision: 'abc' }, health: { status: 'Healthy' } }))).toEqual({
      status: 'Progressing',
      message: 'Waiting to sync abc',
    });
    const retrying = 'one or more objects failed to apply, reason: no matches for kind "XK8treCluster". Retrying attempt #1';
    expect(
      health(app({ sync: { status: 'OutOfSync', revision: 'abc' }, health: { status: 'Healthy' }, operationState: { phase: 'Running', message: retrying } })),
    ).toEqual({ status: 'Progressing', message: retrying });
    expect(health(app({ sync: { status: 'OutOfSync', revision: 'def' }, health: { status: 'Healthy' }, operationState: synced('abc') }))).toEqual({
      status: 'Progressing',
      message: 'Waiting to sync def',
    });
  });

  it('is Degraded once the sync of its revision failed for good, with its message', () => {
    const refused = 'admission webhook denied: spec.environment cannot change';
    const failed = { phase: 'Failed', message: refused, syncResult: { revision: 'abc' } };
    expect(health(app({ sync: { status: 'OutOfSync', revision: 'abc' }, health: { status: 'Healthy' }, operationState: failed }))).toEqual({
      status: 'Degraded',
      message: refused,
    });
    // Failed before any resource was applied: no syncResult, the operation names the revision.
    const early = { phase: 'Error', message: refused, operation: { sync: { revision: 'abc' } } };
    expect(health(app({ sync: { status: 'OutOfSync', revision: 'abc' }, operationState: early }))).toEqual({ status: 'Degraded', message: refused });
    // A failure on an older revision says nothing of the current one, which auto-sync takes next.
    expect(health(app({ sync: { status: 'OutOfSync', revision: 'def' }, operationState: failed })).status).toBe('Progressing');
  });

  // An XR Application never prunes: once a cluster's file is gone from git its XR is left,
  // OutOfSync, after a successful sync of that revision. It must not hold up later waves.
  it('passes health up for a child left OutOfSync by a successful sync of its revision', () => {
    const left = { kind: 'XK8treCluster', name: 'qa', status: 'OutOfSync', requiresPruning: true, health: { status: 'Healthy' } };
    const kept = { kind: 'XK8treCluster', name: 'dev', status: 'Synced', health: { status: 'Healthy' } };
    expect(
      health(app({ sync: { status: 'OutOfSync', revision: 'abc' }, health: { status: 'Healthy' }, operationState: synced('abc'), resources: [kept, left] })),
    ).toEqual({ status: 'Healthy', message: '' });
  });

  // ArgoCD compared the child before its first sync had created the XR: OutOfSync, the XR Missing
  // or not assessed, the Application Healthy with nothing assessed, and its sync Succeeded. The
  // end-to-end run saw the next wave created 36 s before the cluster was Healthy.
  it('keeps a child Progressing until ArgoCD has compared what its sync applied', () => {
    const compared = (resources: Json[]) =>
      health(app({ sync: { status: 'OutOfSync', revision: 'abc' }, health: { status: 'Healthy' }, operationState: synced('abc'), resources }));
    const waiting = { status: 'Progressing', message: 'Waiting for ArgoCD to compare what it synced' };
    expect(compared([])).toEqual(waiting);
    expect(compared([{ kind: 'XK8treCluster', name: 'dev', status: 'OutOfSync' }])).toEqual(waiting);
    expect(compared([{ kind: 'XK8treCluster', name: 'dev', status: 'OutOfSync', health: { status: 'Missing' } }])).toEqual(waiting);
  });
});

describe('what is left to ArgoCD', () => {
  it("overrides none of ArgoCD's built-in checks for Crossplane packages", () => {
    for (const kind of ['Provider', 'Configuration', 'Function']) expect(scriptFor(scripts, 'pkg.crossplane.io/v1', kind)).toBeUndefined();
  });
});
