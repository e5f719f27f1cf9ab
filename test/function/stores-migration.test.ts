import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ORPHANING_POLICIES, PAUSED } from '../../functions/k8tre/lib/adoption.js';
import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { MAX_COMPOSED_PER_XR } from '../../functions/k8tre/spoke/tree.js';
import { fatalMessage, reconcileInProcess, runAsCrossplane, treeResources, type Json } from '../../scripts/lib/in-process.js';
import { asObserved, isPackageXr, parseStream, RESOURCE_NAME_ANNOTATION, type Manifest } from '../../scripts/lib/reconcile.js';
import { loadExample } from '../support/function.js';

// A cluster composed before its Key Vault and storage accounts had an XR of their own hands them to
// its XK8treDataStores with nothing in Azure deleted, renamed or changed: they hold research data.
// Crossplane deletes a composed resource that leaves the desired state, and its provider deletes it
// in Azure unless its management policies leave out Delete; the roles scoped to the stores must not
// lose their scope on the way, or they would be deleted and granted again.
//
// Crossplane's loop is played as in migration.test.ts: each answer is applied (desired becomes
// observed; a composed XR is reconciled in turn, and observed with its status unless paused), and
// whatever was observed but is no longer desired is deleted, with the policies it had.

const [legacyXr, ...legacyResources] = parseStream(readFileSync('test/fixtures/cluster-before-stores.yaml', 'utf8'));
const keyOf = (manifest: Manifest) => manifest.metadata.annotations?.[RESOURCE_NAME_ANNOTATION] ?? '';
const azureName = (manifest: Json) => ((manifest.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {})[EXTERNAL_NAME];

/** As the simulated providers report a resource, with an Azure ID that follows its Azure name, as Azure's do (the fixture's were made so). */
function observe(manifest: Json): Json {
  const reported = asObserved(manifest as Manifest) as Json;
  const atProvider = (reported.status as { atProvider: { id: string } }).atProvider;
  const name = azureName(manifest);
  if (name) atProvider.id = atProvider.id.replace(/[^/]+$/, name);
  return reported;
}
const required = { network: [reconcileInProcess(loadExample('examples/network/k8tre.yaml'), {}, observe, 8).xr] };
const policiesOf = (manifest: Json | undefined) => (manifest?.spec as { managementPolicies?: unknown } | undefined)?.managementPolicies;

function asReported(legacy: Manifest): Json {
  const annotations = Object.fromEntries(Object.entries(legacy.metadata.annotations ?? {}).filter(([name]) => name !== RESOURCE_NAME_ANNOTATION));
  return observe({ ...legacy, metadata: { ...legacy.metadata, annotations } });
}

interface Round {
  readonly desired: Record<string, Json>;
  readonly status: Json;
  readonly deleted: { key: string; policies: unknown }[];
  /** Azure resources (kind and name) that two objects of the tree manage. */
  readonly twice: string[];
}

function upgrade(): { rounds: Round[]; final: Record<string, Json>; tree: Record<string, Json> } {
  let xr = legacyXr as unknown as Json;
  let observed: Record<string, Json> = Object.fromEntries(legacyResources.map((m) => [keyOf(m), asReported(m)]));
  const rounds: Round[] = [];
  for (let round = 1; round <= 8; round++) {
    const rsp = runAsCrossplane(xr, required, observed);
    expect(fatalMessage(rsp), `round ${round}`).toBeUndefined();
    const desired = Object.fromEntries(Object.entries(rsp.desired?.resources ?? {}).map(([key, r]) => [key, r.resource as Json]));
    const deleted = Object.entries(observed)
      .filter(([key]) => !(key in desired))
      .map(([key, was]) => ({ key, policies: policiesOf(was) }));
    const children = new Map<string, ReturnType<typeof reconcileInProcess>>();
    const next = Object.fromEntries(
      Object.entries(desired).map(([key, manifest]): [string, Json] => {
        if (!isPackageXr(manifest)) return [key, observe(manifest)];
        if ((manifest.metadata as { annotations?: Record<string, string> }).annotations?.[PAUSED]) return [key, manifest];
        const child = reconcileInProcess({ ...manifest, metadata: { namespace: 'k8tre', ...(manifest.metadata as Json) } }, {}, observe);
        children.set(key, child);
        return [key, { ...child.xr, status: { ...(child.xr.status as Json), conditions: [{ type: 'Ready', status: 'True' }] } }];
      }),
    );
    const stable = JSON.stringify(Object.keys(next).sort()) === JSON.stringify(Object.keys(observed).sort());
    observed = next;
    const status = rsp.desired?.composite?.resource?.status as Json;
    xr = { ...xr, status };
    const tree = Object.assign({}, observed, ...[...children].map(([key, child]) => treeResources(child, `${key}/`))) as Record<string, Json>;
    rounds.push({ desired, status, deleted, twice: claimedTwice(Object.values(tree)) });
    if (stable && round > 2) return { rounds, final: observed, tree };
  }
  throw new Error('the upgrade did not settle in 8 reconciles');
}

function claimedTwice(all: readonly Json[]): string[] {
  const counts = new Map<string, number>();
  for (const m of all.filter((m) => !isPackageXr(m as { apiVersion?: unknown }) && azureName(m))) {
    const claim = `${String(m.kind)} ${azureName(m)}`;
    counts.set(claim, (counts.get(claim) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([claim]) => claim);
}

const scopeOf = (manifest: Json | undefined) => (manifest?.spec as { forProvider?: { scope?: string } } | undefined)?.forProvider?.scope;

/** forProvider without what references resolve to: the same in Azure whether set by reference or by name. */
function settings(manifest: Json): Json {
  const fields = (manifest.spec as { forProvider: Json }).forProvider;
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !name.endsWith('Ref') && name !== 'resourceGroupName'));
}

describe('upgrading a cluster composed before its data stores were an XR', () => {
  const { rounds, final, tree } = upgrade();
  const moved = legacyResources.filter((m) => !(keyOf(m) in final));
  const roleKeys = legacyResources.map(keyOf).filter((key) => key.startsWith('role-'));

  it('moves the data group, the Key Vault, the storage accounts and their endpoints, and nothing else', () => {
    expect(moved.map((m) => m.kind).sort()).toEqual(
      ['Account', 'Account', 'PrivateEndpoint', ...Array(10).fill('PrivateEndpoint'), 'ResourceGroup', 'Vault'].sort(),
    );
  });

  it('first gives every resource that moves policies without Delete, and composes no data stores yet', () => {
    const first = rounds[0]!.desired;
    for (const m of moved) expect(policiesOf(first[keyOf(m)]), keyOf(m)).toEqual(ORPHANING_POLICIES);
    expect(first['data-stores']).toBeUndefined();
  });

  it('lets no resource go while its observed policies allow Delete, and no role lose its scope', () => {
    const deleted = rounds.flatMap((r) => r.deleted);
    expect(deleted.map((d) => d.key).sort()).toEqual(moved.map(keyOf).sort());
    for (const deletion of deleted) expect(deletion.policies, deletion.key).toEqual(ORPHANING_POLICIES);
    for (const [i, round] of rounds.entries()) {
      for (const key of roleKeys)
        expect(scopeOf(round.desired[key]), `round ${i + 1}: ${key}`).toBe(scopeOf(legacyResources.find((m) => keyOf(m) === key) as unknown as Json));
      expect((round.status.keyVault as { id?: string }).id, `round ${i + 1}`).toBeDefined();
    }
  });

  it('brings every moved resource back under the data stores with the Azure name and settings it had', () => {
    const adopted = Object.entries(tree).filter(([key]) => key.startsWith('data-stores/'));
    for (const legacy of moved) {
      const twins = adopted.filter(([, m]) => m.kind === legacy.kind && azureName(m) === legacy.metadata.annotations?.[EXTERNAL_NAME]);
      expect(twins, keyOf(legacy)).toHaveLength(1);
      expect(settings(twins[0]![1]), keyOf(legacy)).toEqual(settings(legacy as unknown as Json));
    }
  });

  it('never has one Azure resource managed by two objects', () => {
    for (const [i, round] of rounds.entries()) expect(round.twice, `round ${i + 1}`).toEqual([]);
  });

  it(`leaves the cluster within ${MAX_COMPOSED_PER_XR} composed resources`, () => {
    expect(legacyResources.length).toBeGreaterThan(MAX_COMPOSED_PER_XR);
    expect(Object.keys(final).length).toBeLessThanOrEqual(MAX_COMPOSED_PER_XR);
  });
});
