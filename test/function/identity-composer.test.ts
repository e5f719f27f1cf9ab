import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/k8tre/cluster/naming.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { desired, desiredNames, fatalMessage, loadExample, runWithRequired, settle, settledDevCluster, withField, type Json } from '../support/function.js';

// What a cluster tells each of its workload identities (cluster/workload-identities.ts), case by
// case, in-process: which identities it has, the service accounts federated with each, and the
// scope of each role. Each case edits the dev cluster and reads its identity groups after one
// reconcile against the settled dev cluster's observed state. The identity XR's own composer has
// its table in identities.test.ts.

const dev = settledDevCluster();

interface Told {
  readonly identity: string;
  readonly azureName: string;
  readonly issuer?: string;
  readonly federations: readonly { azureName: string; subject: string }[];
  readonly roles: readonly { role: string; scope: string }[];
}

/** Every identity the cluster tells, by name, after one reconcile of `xr` with `observed`. */
function told(xr: Json, observed: Record<string, Json> = dev.observed, required = dev.required): Map<string, Told> {
  const rsp = runWithRequired(xr, required, observed);
  expect(fatalMessage(rsp)).toBeUndefined();
  const groups = desiredNames(rsp).filter((key) => key.startsWith('identities-'));
  return new Map(
    groups.flatMap((key) => (desired(rsp, key).spec as { identities: { spec: Told }[] }).identities.map((entry) => [entry.spec.identity, entry.spec] as const)),
  );
}

const status = dev.xr.status as { storage: { workspace: { id: string } }; keyVault: { id: string } };
const aksIssuer = (dev.observed[keys.cluster]?.status as { atProvider: { oidcIssuerUrl: string } }).atProvider.oidcIssuerUrl;
const userIdentity = (roles: readonly Json[]) => ({ name: 'notebook', namespace: 'research', serviceAccount: 'notebook', roles });

interface Case {
  readonly reason: string;
  readonly told: () => Map<string, Told>;
  readonly want: (identities: Map<string, Told>) => void;
}

const cases: Record<string, Case> = {
  "K8TRE's two on every cluster, then the user's, in order": {
    reason: 'external-dns and cert-manager run on every K8TRE cluster; the user lists the rest, and an identity never moves once placed.',
    told: () => told(dev.xr),
    want: (identities) => expect([...identities.keys()]).toEqual(['externaldns', 'certmanager', 'jupyter']),
  },
  "external-dns: its environment zone and Reader on the zone's group": {
    reason: 'external-dns on Azure private DNS must list the zones of the group before it writes records in one.',
    told: () => told(dev.xr),
    want: (identities) => {
      const roles = identities.get('externaldns')?.roles ?? [];
      expect(roles.map((r) => r.role)).toEqual(['Private DNS Zone Contributor', 'Reader']);
      expect(roles[1]?.scope).toBe(roles[0]?.scope.replace(/\/providers\/.*$/, ''));
    },
  },
  "federated with the cluster's own OIDC issuer and the service account's subject": {
    reason: 'Entra exchanges a token only for the issuer and subject it was told; any other is refused at sign-in.',
    told: () => told(dev.xr),
    want: (identities) => {
      const jupyter = identities.get('jupyter');
      expect(jupyter?.issuer).toBe(aksIssuer);
      expect(jupyter?.federations).toEqual([{ azureName: 'fic-jupyter', subject: 'system:serviceaccount:jupyterhub:hub' }]);
    },
  },
  'a role on one of the cluster’s own stores, scoped by its reported ID': {
    reason: 'A user names a store by kind (WorkspaceStorage, KeyVault), not by ID, which Azure gives it only once made.',
    told: () => told(withField(dev.xr, 'spec.workloadIdentities', [userIdentity([{ role: 'Key Vault Secrets User', scopeResource: 'KeyVault' }])])),
    want: (identities) =>
      expect(identities.get('notebook')?.roles).toEqual([expect.objectContaining({ role: 'Key Vault Secrets User', scope: status.keyVault.id })]),
  },
  'ArgoCD on a Management cluster only, with its server federated beside its controller': {
    reason: "ArgoCD's controller and server run as two service accounts of one identity; a workload cluster runs no ArgoCD.",
    told: () => {
      const mgmt = settle(loadExample('examples/cluster/mgmt.yaml'), (manifest) => asObserved(manifest as Manifest), dev.required);
      return told(mgmt.xr, mgmt.observed);
    },
    want: (identities) => {
      expect(identities.has('argocd')).toBe(true);
      expect(identities.get('argocd')?.federations.map((f) => f.subject)).toEqual(
        expect.arrayContaining([expect.stringMatching(/:argocd-application-controller$/), expect.stringMatching(/:argocd-server$/)]),
      );
    },
  },
  'Azure names from the cluster and the identity': {
    reason: "Two clusters' identities of one name live in different groups and must not collide in Azure's lists.",
    told: () => told(dev.xr),
    want: (identities) => expect(identities.get('jupyter')?.azureName).toBe(`id-${(dev.xr.metadata as { name: string }).name}-jupyter`),
  },
};

describe("a cluster's workload identities, as it tells them", () => {
  for (const [name, c] of Object.entries(cases)) it(`${name} (${c.reason})`, () => c.want(c.told()));
});
