import { KIND as CLUSTER_KIND } from '../../functions/k8tre/cluster/api.js';
import { keys } from '../../functions/k8tre/cluster/naming.js';
import { RESOURCE_NAME_ANNOTATION } from '../../scripts/lib/reconcile.js';
import { KubeError, waitFor, type KubeObject } from '../lib/kube.js';
import { COMPOSITE_LABEL, deletesExternal, keyOf } from '../lib/stand-in-provider.js';
import { API_VERSION, cluster, network, NAMESPACE, type Platform, type XrRef } from '../platform.js';
import { checkArgoCdSecrets } from './converge.js';
import { NEW_ENVIRONMENT } from './restart.js';
import { check, some, type Scenario } from './scenario.js';
import { STORAGE_PURPOSES } from '../../functions/k8tre/cluster/naming.js';

// Issue 13's scenario 4. Deletion, as a user deletes from git: the network cannot go while clusters use it; a
// cluster goes in the order its Usages give, keeping its data stores and their group in Azure;
// at the end the namespace holds nothing the platform made.

/** Composition resource names of what a cluster keeps in Azure by default: the data stores and their group (its XK8treDataStores composes them; Crossplane labels them with the cluster, the root XR). */
const RETAINED = new Set([keys.keyVault, keys.dataResourceGroup, ...STORAGE_PURPOSES.map((purpose) => keys.storage(purpose))]);
const USAGE = { apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage' };

export const deletion: Scenario = {
  name: 'deletion',
  title: 'the network is protected while used; a cluster goes in Usage order, keeping its data; the namespace ends empty',
  async run(platform, { facts }) {
    const net = await platform.xr(network('k8tre'));
    let refusal: KubeError | undefined;
    try {
      await platform.admin.delete(net as KubeObject);
    } catch (error) {
      if (!(error instanceof KubeError)) throw error;
      refusal = error;
    }
    check(
      refusal !== undefined && /in-use/i.test(refusal.message),
      `deleting the network while clusters use it was not refused by the Usage webhook${refusal ? `: ${refusal.message}` : ''}`,
    );
    check(!(await platform.xr(network('k8tre')))?.metadata.deletionTimestamp, 'the network is being deleted although the webhook refused it');

    const dev = await deleteCluster(platform, 'dev');
    await checkArgoCdSecrets(platform, ['stg', 'prd', NEW_ENVIRONMENT]);

    // The rest, clusters first, as the Usages require; then the network.
    for (const name of ['stg', 'prd', NEW_ENVIRONMENT, 'mgmt'])
      await platform.admin.delete({ apiVersion: API_VERSION, kind: CLUSTER_KIND, metadata: { name, namespace: NAMESPACE } });
    await waitXrsGone(platform, ['stg', 'prd', NEW_ENVIRONMENT, 'mgmt'].map(cluster));
    await waitComposedGone(platform, ['stg', 'prd', NEW_ENVIRONMENT, 'mgmt']);
    await platform.admin.delete(net as KubeObject);
    await waitXrsGone(platform, [network('k8tre')]);
    await waitFor(
      'the namespace to hold nothing the platform made',
      async () => ((await platform.composed()).size === 0 ? true : undefined),
      5 * 60_000,
      async () => some([...(await platform.composed()).keys()]),
    );
    const secrets = (await platform.admin.list('v1', 'Secret', NAMESPACE)).map((s) => s.metadata.name);
    check(secrets.length === 0, `Secrets left in ${NAMESPACE}: ${secrets.join(', ')}`);
    await checkArgoCdSecrets(platform, []);

    // Outside the control plane, only what management policies retain is left.
    const left = [...platform.provider.azure.keys()].filter((key) => !platform.provider.orphaned.has(key));
    check(left.length === 0, () => `resources left in Azure that nothing retains:\n  ${some(left)}`);
    facts.deletion = { devDeletedInAzure: dev.deleted, devRetained: dev.retained, usagesOrdered: dev.usages };
  },
};

/** Deletes one cluster and checks its order and what it keeps. */
async function deleteCluster(platform: Platform, name: string): Promise<{ deleted: number; retained: string[]; usages: number }> {
  const before = [...(await platform.composed()).values()].filter((o) => o.metadata.labels?.[COMPOSITE_LABEL] === name);
  const usages = (await platform.admin.list(USAGE.apiVersion, USAGE.kind, NAMESPACE, `${COMPOSITE_LABEL}=${name}`)).map((u) => usagePair(u));
  await platform.admin.delete({ apiVersion: API_VERSION, kind: CLUSTER_KIND, metadata: { name, namespace: NAMESPACE } });
  await waitXrsGone(platform, [cluster(name)]);
  await waitComposedGone(platform, [name]);

  const released = platform.provider.released;
  const kindOf = new Map(before.map((o) => [`${o.kind}/${o.metadata.name}`, keyOf(o)]));
  const outOfOrder: string[] = [];
  let ordered = 0;
  for (const usage of usages) {
    const of = kindOf.get(usage.of);
    const by = kindOf.get(usage.by);
    if (!of || !by || !released.has(of) || !released.has(by)) continue;
    ordered++;
    if ((released.get(of) ?? 0) < (released.get(by) ?? 0)) outOfOrder.push(`${usage.of} went before ${usage.by}, which uses it`);
  }
  check(outOfOrder.length === 0, () => `deleting ${name} ignored its Usages:\n  ${some(outOfOrder)}`);
  check(ordered > 0, `deleting ${name} exercised none of its ${usages.length} Usages between managed resources`);

  // What the management policies keep (the data stores and their group, and in-cluster objects
  // that are never deleted, such as the Gateway API CRDs) stays; everything else is gone.
  const managed = before.filter((o) => platform.kinds.some((k) => k.managed && k.kind === o.kind));
  const kept = managed.filter((o) => !deletesExternal(o));
  const dataStores = managed.filter((o) => RETAINED.has(o.metadata.annotations?.[RESOURCE_NAME_ANNOTATION] ?? ''));
  check(
    dataStores.length === RETAINED.size,
    `expected ${RETAINED.size} data resources for ${name}, found ${dataStores.map((o) => o.metadata.name).join(', ')}`,
  );
  const unprotected = dataStores.filter((o) => !kept.includes(o) || !platform.provider.azure.has(keyOf(o)));
  check(unprotected.length === 0, () => `data stores of ${name} were deleted in Azure:\n  ${some(unprotected.map((o) => keyOf(o)))}`);
  const deleted = managed.filter((o) => !kept.includes(o));
  const stillThere = deleted.filter((o) => platform.provider.azure.has(keyOf(o)));
  check(stillThere.length === 0, () => `resources of ${name} left in Azure:\n  ${some(stillThere.map((o) => keyOf(o)))}`);
  return { deleted: deleted.length, retained: kept.map((o) => o.metadata.annotations?.[RESOURCE_NAME_ANNOTATION] ?? o.kind), usages: ordered };
}

function usagePair(usage: KubeObject): { of: string; by: string } {
  const spec = usage.spec as { of?: { kind?: string; resourceRef?: { name?: string } }; by?: { kind?: string; resourceRef?: { name?: string } } };
  return { of: `${spec.of?.kind}/${spec.of?.resourceRef?.name}`, by: `${spec.by?.kind}/${spec.by?.resourceRef?.name}` };
}

/** The XR goes first; the garbage collector then deletes what it composed, as the Usages allow. */
async function waitComposedGone(platform: Platform, xrs: readonly string[]): Promise<void> {
  const left = async () => [...(await platform.composed()).values()].filter((o) => xrs.includes(o.metadata.labels?.[COMPOSITE_LABEL] ?? ''));
  await waitFor(
    `everything ${xrs.join(', ')} composed to be deleted`,
    async () => ((await left()).length === 0 ? true : undefined),
    10 * 60_000,
    async () => some((await left()).map((o) => keyOf(o))),
  );
}

async function waitXrsGone(platform: Platform, refs: readonly XrRef[]): Promise<void> {
  await waitFor(
    `${refs.map((r) => r.name).join(', ')} to be deleted`,
    async () => {
      platform.failIfDead();
      return (await Promise.all(refs.map((ref) => platform.xr(ref)))).every((xr) => xr === undefined) ? true : undefined;
    },
    10 * 60_000,
    async () =>
      (await Promise.all(refs.map(async (ref) => `${ref.name}: ${JSON.stringify((await platform.xr(ref))?.metadata.finalizers ?? 'gone')}`))).join('; '),
  );
}
