import { describe, expect, it } from 'vitest';
import { ORPHANING_POLICIES } from '../../functions/k8tre/lib/adoption.js';
import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { MAX_COMPOSED_PER_XR } from '../../functions/k8tre/spoke/tree.js';
import { reconcileInProcess, type Json } from '../../scripts/lib/in-process.js';
import { loadExample } from '../support/function.js';
import { azureName, claimedTwice, keyOf, loadLegacy, observeAsAzure, policiesOf, settings, upgradeInProcess } from '../support/upgrade.js';

// A cluster composed before its Key Vault and storage accounts had an XR of their own hands them to
// its XK8treDataStores with nothing in Azure deleted, renamed or changed: they hold research data.
// Crossplane deletes a composed resource that leaves the desired state, and its provider deletes it
// in Azure unless its management policies leave out Delete; the roles scoped to the stores must not
// lose their scope on the way, or they would be deleted and granted again.
//
// The fixture is older than the workload identities' XRs too, so they move in the same upgrade
// (identities-migration.test.ts follows them). Crossplane's loop is played by test/support/upgrade.ts.

const legacy = loadLegacy('test/fixtures/cluster-before-stores.yaml');
const required = { network: [reconcileInProcess(loadExample('examples/network/k8tre.yaml'), {}, observeAsAzure, 8).xr] };
const STORE_KINDS = ['Account', 'PrivateEndpoint', 'ResourceGroup', 'Vault'];
const IDENTITY_KINDS = ['UserAssignedIdentity', 'FederatedIdentityCredential', 'RoleAssignment'];
const scopeOf = (manifest: Json | undefined) => (manifest?.spec as { forProvider?: { scope?: string } } | undefined)?.forProvider?.scope;

describe('upgrading a cluster composed before its data stores were an XR', () => {
  const { rounds, final, tree } = upgradeInProcess(legacy.xr, legacy.observed, observeAsAzure, required);
  const moved = legacy.resources.filter((m) => !(keyOf(m) in final));
  const movedStores = moved.filter((m) => STORE_KINDS.includes(m.kind));
  const roleKeys = legacy.resources.map(keyOf).filter((key) => key.startsWith('role-'));

  it('moves the data group, the Key Vault, the storage accounts and their endpoints, and besides them only the workload identities', () => {
    expect(movedStores.map((m) => m.kind).sort()).toEqual(
      ['Account', 'Account', 'PrivateEndpoint', ...Array(10).fill('PrivateEndpoint'), 'ResourceGroup', 'Vault'].sort(),
    );
    for (const m of moved.filter((m) => !STORE_KINDS.includes(m.kind))) expect(IDENTITY_KINDS, keyOf(m)).toContain(m.kind);
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
      for (const key of roleKeys) {
        // In the cluster, or adopted by its identity under the name the provider gave it.
        const name = azureName(legacy.observed[key]!);
        const now = round.desired[key] ?? Object.values(round.tree).find((m) => m.kind === 'RoleAssignment' && azureName(m) === name);
        expect(scopeOf(now), `round ${i + 1}: ${key}`).toBe(scopeOf(legacy.observed[key]));
      }
      expect((round.status.keyVault as { id?: string }).id, `round ${i + 1}`).toBeDefined();
    }
  });

  it('brings every moved store back under the data stores with the Azure name and settings it had', () => {
    const adopted = Object.entries(tree).filter(([key]) => key.startsWith('data-stores/'));
    for (const store of movedStores) {
      const twins = adopted.filter(([, m]) => m.kind === store.kind && azureName(m) === store.metadata.annotations?.[EXTERNAL_NAME]);
      expect(twins, keyOf(store)).toHaveLength(1);
      expect(settings(twins[0]![1]), keyOf(store)).toEqual(settings(store as unknown as Json));
    }
  });

  it('never has one Azure resource managed by two objects', () => {
    for (const [i, round] of rounds.entries()) expect(claimedTwice(round.tree), `round ${i + 1}`).toEqual([]);
  });

  it(`leaves the cluster within ${MAX_COMPOSED_PER_XR} composed resources`, () => {
    expect(legacy.resources.length).toBeGreaterThan(MAX_COMPOSED_PER_XR);
    expect(Object.keys(final).length).toBeLessThanOrEqual(MAX_COMPOSED_PER_XR);
  });
});
