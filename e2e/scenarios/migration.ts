import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KIND as NETWORK_KIND } from '../../functions/k8tre/network/api.js';
import { KIND as SPOKE_KIND } from '../../functions/k8tre/spoke/api.js';
import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { ROOT } from '../../scripts/lib/paths.js';
import { parseStream, RESOURCE_NAME_ANNOTATION, type Manifest } from '../../scripts/lib/reconcile.js';
import { waitFor, type KubeObject } from '../lib/kube.js';
import { COMPOSITE_LABEL, keyOf } from '../lib/stand-in-provider.js';
import { API_VERSION, network, NAMESPACE, type Platform } from '../platform.js';
import { check, some, type Scenario } from './scenario.js';

// Issue 15's migration, on the live control plane: a network as the version before spokes were XRs
// left it (test/fixtures/network-before-spokes.yaml: the XR, its status and its 177 composed
// resources, owned by it and recorded in its resource references), taken over by this version.
// Crossplane deletes what leaves the desired state, and the stand-in provider deletes it "in Azure"
// unless its management policies leave out Delete: every resource that moves must be orphaned, none
// deleted, and each must come back under a spoke with the Azure name it had.

const PAUSED = 'crossplane.io/paused';

export const migration: Scenario = {
  name: 'migration',
  title: 'a network composed before spokes were XRs moves onto them: nothing deleted in Azure, nothing renamed',
  async run(platform, { facts, say }) {
    const [legacyXr, ...legacy] = parseStream(readFileSync(join(ROOT, 'test', 'fixtures', 'network-before-spokes.yaml'), 'utf8'));
    if (!legacyXr) throw new Error('the fixture holds no XR');
    const name = legacyXr.metadata.name;

    // The XR as the earlier version left it, paused so that nothing reconciles it until its resources exist.
    const xr = await platform.admin.apply({
      apiVersion: API_VERSION,
      kind: NETWORK_KIND,
      metadata: { name, namespace: NAMESPACE, annotations: { [PAUSED]: 'true' } },
      spec: {
        ...(legacyXr.spec as object),
        crossplane: { resourceRefs: legacy.map((m) => ({ apiVersion: m.apiVersion, kind: m.kind, name: m.metadata.name })) },
      },
    });
    for (const resource of legacy) await platform.admin.apply(ownedBy(resource, xr));
    await waitFor(
      `the ${legacy.length} resources of the earlier version to exist in Azure`,
      () => Promise.resolve(legacy.every((m) => platform.provider.azure.has(keyOf(asObject(m)))) ? true : undefined),
      5 * 60_000,
    );
    // Upjet names what Azure named (an association) by its ID once created; the spokes adopt by that name.
    const before = await platform.composed();
    const names = new Map(legacy.map((m) => [keyOf(asObject(m)), before.get(keyOf(asObject(m)))?.metadata.annotations?.[EXTERNAL_NAME]]));
    await platform.admin.patchStatus(xr, legacyXr.status as Record<string, unknown>);

    say(`taking over ${legacy.length} resources composed by the earlier version`);
    const started = Date.now();
    await platform.admin.mergePatch(xr, { metadata: { annotations: { [PAUSED]: null } } });
    const environments = (legacyXr.spec as { environments: unknown[] }).environments.length;
    await waitFor(
      "the earlier version's spoke resources to leave and the network to be Ready on its spokes",
      async () => {
        platform.failIfDead();
        // Still moving: held with the orphaning policies (step 1), not yet dropped (step 2).
        const moving = [...(await platform.composed()).values()].filter((o) => {
          const policies = (o.spec as { managementPolicies?: string[] }).managementPolicies ?? ['*'];
          return !policies.includes('*') && !policies.includes('Delete') && o.metadata.ownerReferences?.some((r) => r.kind === NETWORK_KIND);
        });
        const spokes = await platform.admin.list(API_VERSION, SPOKE_KIND, NAMESPACE);
        const ready = (await platform.xr(network(name)))?.status as { conditions?: { type: string; status: string }[] } | undefined;
        return moving.length === 0 && spokes.length === environments && ready?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          ? true
          : undefined;
      },
      15 * 60_000,
    );
    facts.migration = { resources: legacy.length, seconds: Math.round((Date.now() - started) / 1000) };

    // Released since the takeover began: the example network, deleted before, had resources of these names.
    const moved = legacy.filter((m) => (platform.provider.released.get(keyOf(asObject(m))) ?? 0) >= started);
    const deletedInAzure = moved.filter((m) => !platform.provider.orphaned.has(keyOf(asObject(m))));
    check(moved.length > 100, `only ${moved.length} resources of the earlier version moved`);
    check(deletedInAzure.length === 0, () => `the move deleted in Azure:\n  ${some(deletedInAzure.map((m) => keyOf(asObject(m))))}`);

    const now = [...(await platform.composed()).values()];
    const lost = moved.filter((m) => {
      const was = names.get(keyOf(asObject(m)));
      return was === undefined || !now.some((o) => o.kind === m.kind && o.metadata.annotations?.[EXTERNAL_NAME] === was);
    });
    check(
      lost.length === 0,
      () =>
        `resources no spoke adopted by the Azure name they had:\n  ${some(lost.map((m) => `${keyOf(asObject(m))} (${names.get(keyOf(asObject(m))) ?? 'no name'})`))}`,
    );
    await removeNetwork(platform, name);
  },
};

function asObject(manifest: Manifest): KubeObject {
  return { ...manifest, metadata: { ...manifest.metadata, namespace: NAMESPACE } };
}

/** A resource as the earlier version's Crossplane composed it: controlled by the XR, labelled with it, keyed. */
function ownedBy(manifest: Manifest, xr: KubeObject): KubeObject {
  const object = asObject(manifest);
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [COMPOSITE_LABEL]: xr.metadata.name },
      annotations: { ...object.metadata.annotations, [RESOURCE_NAME_ANNOTATION]: manifest.metadata.annotations?.[RESOURCE_NAME_ANNOTATION] ?? '' },
      ownerReferences: [
        { apiVersion: API_VERSION, kind: NETWORK_KIND, name: xr.metadata.name, uid: xr.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
  };
}

async function removeNetwork(platform: Platform, name: string): Promise<void> {
  await platform.admin.delete({ apiVersion: API_VERSION, kind: NETWORK_KIND, metadata: { name, namespace: NAMESPACE } });
  await waitFor(
    'the migrated network and everything it composed to be deleted',
    async () => ((await platform.xr(network(name))) === undefined && (await platform.composed()).size === 0 ? true : undefined),
    10 * 60_000,
    async () => some([...(await platform.composed()).keys()]),
  );
}
