import { describe, expect, it } from 'vitest';
import { ORPHANING_POLICIES } from '../../functions/k8tre/lib/adoption.js';
import { MAX_COMPOSED_PER_XR } from '../../functions/k8tre/spoke/tree.js';
import { reconcileInProcess, runAsCrossplane, type Json } from '../../scripts/lib/in-process.js';
import { loadExample } from '../support/function.js';
import { azureName, claimedTwice, keyOf, loadLegacy, observeAsAzure, policiesOf, settings, upgradeInProcess } from '../support/upgrade.js';

// A cluster composed before its workload identities had XRs of their own hands them over with
// nothing in Azure deleted or renamed. A deleted identity would be made again with a new client ID,
// which every service account annotated with the old one, and ArgoCD's Helm values, would no longer
// match; a role assignment made again under a new name is refused by Azure while the old one stands
// (RoleAssignmentExists), so the identities adopt the names the provider gave them.
//
// The fixture is the management cluster with one more identity whose roles are scoped to its data
// stores, as 326714b settled it. Crossplane's loop is played by test/support/upgrade.ts.

const legacy = loadLegacy('test/fixtures/cluster-before-identities.yaml');
const required = { network: [reconcileInProcess(loadExample('examples/network/k8tre.yaml'), {}, observeAsAzure, 8).xr] };
const IDENTITY_KINDS = ['UserAssignedIdentity', 'FederatedIdentityCredential', 'RoleAssignment'];
const scopeOf = (manifest: Json | undefined) => (manifest?.spec as { forProvider?: { scope?: string } } | undefined)?.forProvider?.scope;
const clientIds = (status: Json) =>
  Object.fromEntries(((status.identities as { workloads: { name: string; clientId?: string }[] }).workloads ?? []).map((w) => [w.name, w.clientId]));

describe('upgrading a cluster composed before its workload identities were XRs', () => {
  const { rounds, final, tree } = upgradeInProcess(legacy.xr, legacy.observed, observeAsAzure, required);
  const moved = legacy.resources.filter((m) => !(keyOf(m) in final));
  const adopted = Object.entries(tree).filter(([key]) => key.startsWith('identities-'));
  const before = clientIds(legacy.xr.status as Json);

  it("moves every workload identity, its federated credentials and its roles, and leaves the cluster's other roles", () => {
    const count = (kind: string) => moved.filter((m) => m.kind === kind).length;
    expect(moved.every((m) => IDENTITY_KINDS.includes(m.kind))).toBe(true);
    expect(count('UserAssignedIdentity')).toBe(4); // externaldns, certmanager, argocd, analysis
    expect(count('FederatedIdentityCredential')).toBe(5); // ArgoCD's controller and server share one identity
    expect(count('RoleAssignment')).toBe(5); // external-dns 2, cert-manager 1, analysis 2
    expect(final['role-controlplane-network-contributor'], 'the control plane’s role, not a workload identity’s').toBeDefined();
  });

  it('first gives every resource that moves policies without Delete, and composes no identity yet', () => {
    const first = rounds[0]!.desired;
    for (const m of moved) expect(policiesOf(first[keyOf(m)]), keyOf(m)).toEqual(ORPHANING_POLICIES);
    expect(Object.keys(first).filter((key) => key.startsWith('identities-'))).toEqual([]);
  });

  it('lets no resource go while its observed policies allow Delete, and no role lose its scope', () => {
    const deleted = rounds.flatMap((r) => r.deleted);
    expect(deleted.map((d) => d.key).sort()).toEqual(moved.map(keyOf).sort());
    for (const deletion of deleted) expect(deletion.policies, deletion.key).toEqual(ORPHANING_POLICIES);
    for (const [i, round] of rounds.entries()) {
      for (const role of moved.filter((m) => m.kind === 'RoleAssignment')) {
        const name = azureName(legacy.observed[keyOf(role)]!);
        const now = round.desired[keyOf(role)] ?? Object.values(round.tree).find((m) => m.kind === 'RoleAssignment' && azureName(m) === name);
        expect(scopeOf(now), `round ${i + 1}: ${keyOf(role)}`).toBe(scopeOf(role as unknown as Json));
      }
    }
  });

  it('brings every moved resource back under its identity with the Azure name and settings it had', () => {
    for (const old of moved) {
      const name = azureName(legacy.observed[keyOf(old)]!);
      const twins = adopted.filter(([, m]) => m.kind === old.kind && azureName(m) === name);
      expect(twins, keyOf(old)).toHaveLength(1);
      expect(settings(twins[0]![1]), keyOf(old)).toEqual(settings(old as unknown as Json));
    }
  });

  it('reports every client ID as before in every round: service accounts and ArgoCD are annotated with them', () => {
    expect(Object.keys(before)).toEqual(['externaldns', 'certmanager', 'argocd', 'analysis']);
    for (const [i, round] of rounds.entries()) expect(clientIds(round.status), `round ${i + 1}`).toEqual(before);
  });

  it('keeps ArgoCD as it was in every round: its values carry the controller identity’s client ID', () => {
    const release = legacy.observed['release-argocd']!;
    for (const [i, round] of rounds.entries()) expect(round.desired['release-argocd']?.spec, `round ${i + 1}`).toEqual(release.spec);
  });

  it('hands over only once each identity is told the name of every assignment made before', () => {
    // A scope the cluster cannot resolve yet (here a new role on the resource group, whose ID is
    // not reported) leaves the identity told no roles; handed over so, it would make its
    // assignments again, which Azure refuses while the old ones stand.
    const orphaned = Object.fromEntries(
      Object.entries(legacy.observed).map(([key, m]) => [
        key,
        moved.some((old) => keyOf(old) === key) ? { ...m, spec: { ...(m.spec as Json), managementPolicies: ORPHANING_POLICIES } } : m,
      ]),
    );
    const group = orphaned['resource-group']!;
    orphaned['resource-group'] = { ...group, status: { ...(group.status as Json), atProvider: {} } };
    const spec = legacy.xr.spec as { workloadIdentities: { roles: unknown[] }[] };
    const xr = {
      ...legacy.xr,
      spec: {
        ...spec,
        workloadIdentities: [
          { ...spec.workloadIdentities[0]!, roles: [...spec.workloadIdentities[0]!.roles, { role: 'Reader', scopeResource: 'ResourceGroup' }] },
        ],
      },
    };
    const paused = runAsCrossplane(xr, required, orphaned);
    const groupTold = paused.desired?.resources['identities-0']?.resource as Json;
    expect(groupTold, 'the paused group').toBeDefined();
    const next = runAsCrossplane(xr, required, { ...orphaned, 'identities-0': groupTold });
    expect(Object.keys(next.desired?.resources ?? {})).toContain('role-analysis-0');
  });

  it('never has one Azure resource managed by two objects', () => {
    for (const [i, round] of rounds.entries()) expect(claimedTwice(round.tree), `round ${i + 1}`).toEqual([]);
  });

  it(`leaves the cluster within ${MAX_COMPOSED_PER_XR} composed resources`, () => {
    expect(legacy.resources.length).toBeGreaterThan(MAX_COMPOSED_PER_XR);
    expect(Object.keys(final).length).toBeLessThanOrEqual(MAX_COMPOSED_PER_XR);
  });
});
