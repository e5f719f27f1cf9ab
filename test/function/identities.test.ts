import { describe, expect, it } from 'vitest';
import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { IDENTITIES_PER_GROUP } from '../../functions/k8tre/identity/tree.js';
import { MAX_COMPOSED_PER_XR } from '../../functions/k8tre/spoke/tree.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { desired, desiredNames, fatalMessage, run, runWithRequired, settledDevCluster, withField, type Json } from '../support/function.js';

// A cluster's workload identities are XK8treWorkloadIdentities in groups of at most 25
// (functions/k8tre/identity/tree.ts). An identity never changes group: leaving one deletes its XR,
// and with it the identity in Azure and the client ID its service accounts are annotated with.

const dev = settledDevCluster();
const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;

interface GroupEntry {
  name: string;
  spec: { identity: string; roles: unknown[]; federations: unknown[] };
}
const userIdentity = (name: string) => ({ name, namespace: 'research', serviceAccount: name, roles: [{ role: 'Reader', scopeResource: 'ResourceGroup' }] });
const withUserIdentities = (names: readonly string[]) => withField(dev.xr, 'spec.workloadIdentities', names.map(userIdentity));
const groupKeys = (names: string[]) => names.filter((key) => key.startsWith('identities-'));
const members = (group: Json) => (group.spec as { identities: GroupEntry[] }).identities.map((entry) => entry.spec.identity);

/** The cluster's groups, each by key with its identities, after one reconcile with `observed`. */
function groupsOf(xr: Json, observed: Record<string, Json>): Record<string, string[]> {
  const rsp = runWithRequired(xr, dev.required, observed);
  expect(fatalMessage(rsp)).toBeUndefined();
  return Object.fromEntries(groupKeys(desiredNames(rsp)).map((key) => [key, members(desired(rsp, key))]));
}

/** Observed as composed: the groups as `groups` lists them, the rest of the dev cluster settled. */
function observedWithGroups(groups: Record<string, string[]>): Record<string, Json> {
  const xr = withUserIdentities(
    Object.values(groups)
      .flat()
      .filter((name) => !['externaldns', 'certmanager'].includes(name)),
  );
  const rsp = runWithRequired(xr, dev.required, dev.observed);
  const template = groupKeys(desiredNames(rsp)).flatMap((key) => (desired(rsp, key).spec as { identities: GroupEntry[] }).identities);
  const entryOf = (name: string) => template.find((entry) => entry.spec.identity === name);
  const observed = Object.fromEntries(Object.entries(dev.observed).filter(([key]) => !key.startsWith('identities-')));
  for (const [key, names] of Object.entries(groups)) {
    const group = desired(rsp, 'identities-0');
    observed[key] = { ...group, spec: { ...(group.spec as Json), identities: names.map(entryOf) } };
  }
  return observed;
}

describe("a cluster's workload identities", () => {
  it("are one group for the dev cluster: K8TRE's two and the user's one, each with its federation and scoped roles", () => {
    const group = dev.observed['identities-0']!;
    expect(groupKeys(Object.keys(dev.observed))).toEqual(['identities-0']);
    expect(members(group)).toEqual(['externaldns', 'certmanager', 'jupyter']);
    const jupyter = (group.spec as { identities: GroupEntry[] }).identities[2]!;
    expect(jupyter.name).toBe('dev-id-jupyter');
    expect(jupyter.spec.federations).toEqual([{ azureName: 'fic-jupyter', subject: 'system:serviceaccount:jupyterhub:hub' }]);
    expect(jupyter.spec.roles).toEqual([
      expect.objectContaining({
        role: 'Storage Blob Data Contributor',
        scope: (dev.xr.status as { storage: { workspace: { id: string } } }).storage.workspace.id,
      }),
    ]);
  });

  it(`spread over groups of at most ${IDENTITIES_PER_GROUP} when the spec lists the most the XRD allows, the cluster within the bound`, () => {
    const names = Array.from({ length: 50 }, (_, i) => `app${i}`);
    const rsp = runWithRequired(withUserIdentities(names), dev.required, dev.observed);
    expect(fatalMessage(rsp)).toBeUndefined();
    const groups = groupKeys(desiredNames(rsp)).map((key) => members(desired(rsp, key)));
    expect(groups.map((g) => g.length)).toEqual([25, 25, 2]);
    expect(groups.flat().sort()).toEqual(['externaldns', 'certmanager', ...names].sort());
    expect(desiredNames(rsp).length).toBeLessThanOrEqual(MAX_COMPOSED_PER_XR);
  });

  const placements: { why: string; observed: Record<string, string[]>; users: string[]; expected: Record<string, string[]> }[] = [
    {
      why: 'an identity removed from a full group leaves every other where it is, and the next new one fills the room it left',
      observed: { 'identities-0': ['externaldns', 'certmanager', ...range(0, 23)], 'identities-1': range(23, 26) },
      users: [...range(1, 26), 'late'],
      expected: { 'identities-0': ['externaldns', 'certmanager', ...range(1, 23), 'late'], 'identities-1': range(23, 26) },
    },
    {
      why: 'a group whose identities are all removed is no longer composed, and the others keep their index',
      observed: { 'identities-0': ['externaldns', 'certmanager', ...range(0, 23)], 'identities-1': range(23, 26), 'identities-2': range(26, 30) },
      users: [...range(0, 23), ...range(26, 30)],
      expected: { 'identities-0': ['externaldns', 'certmanager', ...range(0, 23)], 'identities-2': range(26, 30) },
    },
    {
      why: 'an identity stays in its group even when listed earlier in the spec than identities of an earlier group',
      observed: { 'identities-0': ['externaldns', 'certmanager', ...range(0, 23)], 'identities-1': range(23, 25) },
      users: [...range(23, 25).reverse(), ...range(0, 23)],
      expected: { 'identities-0': ['externaldns', 'certmanager', ...range(0, 23)], 'identities-1': range(23, 25).reverse() },
    },
  ];
  for (const placement of placements) {
    it(placement.why, () => {
      expect(groupsOf(withUserIdentities(placement.users), observedWithGroups(placement.observed))).toEqual(placement.expected);
    });
  }
});

describe('an XK8treWorkloadIdentity', () => {
  const told = (dev.observed['identities-0']!.spec as { identities: (GroupEntry & { spec: Json })[] }).identities[2]!;
  const xr = { apiVersion: 'azure.k8tre.io/v1alpha1', kind: 'XK8treWorkloadIdentity', metadata: { name: told.name, namespace: 'k8tre' }, spec: told.spec };
  const first = run(xr);
  const identity = { identity: observe(desired(first, 'identity')) };
  const second = run(xr, identity);

  // One credential at a time: azure-rules.test.ts, with ArgoCD's two.
  const cases: { why: string; rsp: () => ReturnType<typeof run>; composes: string[] }[] = [
    {
      why: 'composes the identity and its first federated credential; its roles wait for the principal ID Azure gives it',
      rsp: () => first,
      composes: ['federation-fic-jupyter', 'identity'],
    },
    {
      why: 'waits for the cluster’s OIDC issuer before any federated credential',
      rsp: () => run(withField(xr, 'spec.issuer', undefined)),
      composes: ['identity'],
    },
    { why: 'grants its roles once Azure reports the principal ID', rsp: () => second, composes: ['federation-fic-jupyter', 'identity', 'role-0'] },
  ];
  for (const c of cases) it(c.why, () => expect(desiredNames(c.rsp())).toEqual(c.composes));

  it('adopts an assignment made before by the name the cluster tells it', () => {
    const madeBefore = `${String((told.spec.roles[0] as Json).scope)}/providers/Microsoft.Authorization/roleAssignments/4692e0eb-418d-256f-3c3c-a31646f30da8`;
    const adopted = withField(xr, 'spec.roles', [{ ...(told.spec.roles[0] as Json), externalName: madeBefore }]);
    const role = desired(run(adopted, identity), 'role-0');
    expect((role.metadata as { annotations?: Record<string, string> }).annotations?.[EXTERNAL_NAME]).toBe(madeBefore);
  });

  it('keeps the name the provider gave a new assignment: without it, the provider would make the assignment again', () => {
    const named = observe(desired(second, 'role-0'));
    const given = `${String((told.spec.roles[0] as Json).scope)}/providers/Microsoft.Authorization/roleAssignments/0d1f7c1a-0000-4000-8000-000000000001`;
    (named.metadata as Json).annotations = { [EXTERNAL_NAME]: given };
    const role = desired(run(xr, { ...identity, 'role-0': named }), 'role-0');
    expect((role.metadata as { annotations?: Record<string, string> }).annotations?.[EXTERNAL_NAME]).toBe(given);
  });

  it('reports the client and principal IDs Azure gave the identity', () => {
    const reported = (first.desired?.composite?.resource?.status ?? {}) as Json;
    expect(reported).toEqual({});
    const status = (run(xr, identity).desired?.composite?.resource?.status ?? {}) as Json;
    const atProvider = (identity.identity.status as { atProvider: Json }).atProvider;
    expect(status).toEqual({ id: atProvider.id, clientId: atProvider.clientId, principalId: atProvider.principalId });
  });
});

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `app${from + i}`);
}
