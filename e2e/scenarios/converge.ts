import { ARGOCD_REQUIRED_LABELS } from '../../functions/k8tre/cluster/api.js';
import { condition, sleep, type KubeObject } from '../lib/kube.js';
import { cluster, network, xrKey, type Platform } from '../platform.js';
import { check, some, type Scenario } from './scenario.js';

// Issue 13's scenario 1. The example platform, applied at once as ArgoCD would sync it, converges: the network,
// then the clusters that wait for it. Crossplane's conditions tell the truth at every step.

/** Watch events an XR controller may count in 15 s at rest (measured: 0 to 4, from status writes). */
const AT_REST_LIMIT = 50;

export const EXAMPLE_CLUSTERS = ['dev', 'stg', 'prd', 'mgmt'];
export const EXAMPLE_XRS = [network('k8tre'), ...EXAMPLE_CLUSTERS.map(cluster)];

export const converge: Scenario = {
  name: 'converge',
  title: 'the example platform converges (network, then mgmt, dev, stg and prd)',
  async run(platform, { facts }) {
    await platform.applyExample('examples/network/k8tre.yaml');
    for (const env of EXAMPLE_CLUSTERS) await platform.applyExample(`examples/cluster/${env}.yaml`);
    await platform.waitReady(EXAMPLE_XRS, 20 * 60_000);

    const { monitor } = platform;
    check(monitor.falseReady.length === 0, () => `an XR was Ready=True while it still waited:\n  ${some(monitor.falseReady)}`);
    for (const env of EXAMPLE_CLUSTERS) {
      const key = xrKey(cluster(env));
      check(
        monitor.waitedNotReady.has(`${key} NetworkReady`),
        `the ${env} cluster was never seen waiting for its network with Ready=False (saw: ${some([...monitor.waitedNotReady].filter((w) => w.startsWith(key)))})`,
      );
    }
    check(monitor.unsynced.length === 0, () => `Crossplane could not apply what the function composed:\n  ${some(monitor.unsynced)}`);

    const { composed, refs } = await checkComposedReady(platform);

    await checkArgoCdSecrets(platform, ['dev', 'stg', 'prd']);

    // At rest nothing should churn: no controller rewriting what another wrote. Convergence
    // counts thousands of breaker events; a loop between two writers would count hundreds here.
    const rest = platform.breaker.totals();
    await sleep(15_000);
    const after = platform.breaker.totals();
    const atRest = Object.fromEntries(Object.entries(after).map(([controller, total]) => [controller, total - (rest[controller] ?? 0)]));
    facts.watchEventsAtRestIn15s = atRest;
    const churning = Object.entries(atRest).filter(([, events]) => events > AT_REST_LIMIT);
    check(churning.length === 0, () => `XRs keep receiving watch events at rest (15 s): ${JSON.stringify(Object.fromEntries(churning))}`);
    facts.xrs = EXAMPLE_XRS.length;
    facts.composedAfterConverge = refs.length;
    facts.managedResourcesAfterConverge = [...composed.values()].filter((o) => isManaged(platform, o)).length;
  },
};

/**
 * Every composed managed resource is Ready, every XR's reference resolves and every composed
 * object is referenced: nothing orphaned or doubled.
 */
export async function checkComposedReady(platform: Platform): Promise<{ composed: Map<string, KubeObject>; refs: { name: string }[] }> {
  const composed = await platform.composed();
  const unready = [...composed.values()].filter((o) => isManaged(platform, o) && condition(o, 'Ready')?.status !== 'True');
  check(unready.length === 0, () => `composed resources not Ready although every XR is:\n  ${some(unready.map((o) => `${o.kind}/${o.metadata.name}`))}`);
  const refs = (await platform.xrs()).flatMap((xr) => resourceRefs(xr).map((ref) => ({ ...ref, namespace: xr.metadata.namespace })));
  const missing = (
    await Promise.all(
      refs.map(async (ref) => ((await platform.admin.get(ref.apiVersion, ref.kind, ref.name, ref.namespace)) ? undefined : `${ref.kind}/${ref.name}`)),
    )
  ).filter(Boolean);
  check(missing.length === 0, () => `XRs reference composed resources that do not exist:\n  ${some(missing)}`);
  const referenced = new Set(refs.map((ref) => `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`));
  const unreferenced = [...composed.keys()].filter((key) => !referenced.has(key));
  check(unreferenced.length === 0, () => `composed resources no XR references:\n  ${some(unreferenced)}`);
  return { composed, refs };
}

export function resourceRefs(xr: KubeObject): { apiVersion: string; kind: string; name: string }[] {
  return (xr.spec as { crossplane?: { resourceRefs?: { apiVersion: string; kind: string; name: string }[] } } | undefined)?.crossplane?.resourceRefs ?? [];
}

export function isManaged(platform: Platform, object: KubeObject): boolean {
  return platform.kinds.some((k) => k.managed && k.kind === object.kind && k.apiVersion === object.apiVersion);
}

/** The ArgoCD cluster Secrets, written as provider-kubernetes writes them, with the labels K8TRE's ApplicationSets select on. */
export async function checkArgoCdSecrets(platform: Platform, environments: readonly string[]): Promise<void> {
  const secrets = await platform.admin.list('v1', 'Secret', 'argocd', 'argocd.argoproj.io/secret-type=cluster');
  const names = secrets.map((s) => s.metadata.name).sort();
  const expected = environments.map((env) => `k8tre-${env}-cluster`).sort();
  check(JSON.stringify(names) === JSON.stringify(expected), `ArgoCD cluster Secrets ${JSON.stringify(names)}, expected ${JSON.stringify(expected)}`);
  for (const secret of secrets) {
    const labels = secret.metadata.labels ?? {};
    const missing = ARGOCD_REQUIRED_LABELS.filter((label) => !(label in labels));
    check(missing.length === 0, `${secret.metadata.name} lacks the labels ${missing.join(', ')}`);
    const managers = (secret.metadata.managedFields ?? []).map((f) => f.manager);
    check(managers.includes('provider-kubernetes'), `${secret.metadata.name} was not written by provider-kubernetes (managers: ${managers.join(', ')})`);
    const data = (secret.data ?? {}) as Record<string, string>;
    check(
      ['name', 'server', 'config'].every((key) => key in data),
      `${secret.metadata.name} lacks name, server or config`,
    );
  }
}
