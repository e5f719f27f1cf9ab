import { formatCidr } from '../lib/cidr.js';
import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import { compact } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import type { ClusterAddressing } from './addressing.js';
import type { DataStores } from './data-stores.js';
import type { WorkloadIdentityOutcome } from './workload-identities.js';
import type { NetworkFacts } from './network-input.js';
import { azureNames, keys, STORAGE_PURPOSES, type StoragePurpose } from './naming.js';
import type { ClusterSpec } from './spec.js';

// The XR's status contract, what K8TRE and the management cluster read: one source for the
// XRD's status schema and the type the function writes. IDs appear once Azure reports them; the
// client IDs replace the values the reference made people hard-code.

const identity = (description: string) =>
  c.object(description, { clientId: c.optional(c.string('Client ID.')), principalId: c.optional(c.string('Principal (object) ID.')) });
const named = (description: string) => c.object(description, { name: c.string('Name.'), id: c.optional(c.string('Azure ID.')) });

export const clusterStatusContract = c.object('What the cluster composed. IDs appear once Azure reports them.', {
  environment: c.string('Environment.'),
  domains: c.object('The environment’s domains.', { public: c.string('Public domain.'), internal: c.string('Private zone.') }),
  aks: c.object('The AKS cluster.', {
    name: c.string('Name.'),
    id: c.optional(c.string('Azure ID.')),
    privateFqdn: c.optional(c.string('Private API server FQDN.')),
    oidcIssuerUrl: c.optional(c.string('OIDC issuer URL.')),
  }),
  networking: c.object('Cluster address spaces.', {
    serviceCidr: c.string('Service CIDR.'),
    dnsServiceIp: c.string('DNS service IP.'),
    podCidr: c.string('Cilium pod pool.'),
  }),
  identities: c.object('Identities and their IDs.', {
    controlPlane: identity('AKS control-plane identity.'),
    kubelet: identity('Kubelet identity (storage CSI drivers).'),
    secretsProvider: identity('Key Vault Secrets Provider add-on identity.'),
    workloads: c.listMap(
      'Workload identities: external-dns, cert-manager and the extra ones.',
      'name',
      c.object('A workload identity.', {
        name: c.string('Name.'),
        subject: c.string('Federated service account subject.'),
        subjects: c.array('Every federated service account subject (ArgoCD’s identity has its controller’s and its server’s).', c.string('A subject.')),
        clientId: c.optional(c.string('Client ID, for the azure.workload.identity/client-id annotation.')),
        principalId: c.optional(c.string('Principal ID.')),
        roles: c.array('Roles granted.', c.object('A role.', { role: c.string('Role.'), scope: c.string('Scope.') })),
      }),
    ),
  }),
  keyVault: c.object('The Key Vault.', { name: c.string('Name.'), id: c.optional(c.string('Azure ID.')), uri: c.optional(c.string('Vault URI.')) }),
  dataResourceGroupName: c.string('Resource group of the Key Vault and storage accounts.'),
  argocd: c.optional(
    c.object('The hosted ArgoCD (Management role).', {
      url: c.string('ArgoCD URL.'),
      applicationClientId: c.optional(c.string('Client ID of ArgoCD’s Entra application.')),
    }),
  ),
  storage: c.object('Storage accounts.', { workspace: named('Workspace account.'), core: named('Core account.') }),
});
export type ClusterStatus = TypeOf<typeof clusterStatusContract>;

export function clusterStatus(
  spec: ClusterSpec,
  network: NetworkFacts,
  addressing: ClusterAddressing,
  workloads: readonly WorkloadIdentityOutcome[],
  stores: DataStores,
  observed: Observed,
): ClusterStatus {
  const at = (key: string, field: string) => observed.atProvider(key, field);
  const aksPath = (...path: (string | number)[]) => observed.atProviderPath(keys.cluster, ...path);
  const storage = (purpose: StoragePurpose) => ({ name: azureNames.storage(spec, purpose), id: stores.storageIds[purpose] });
  return compact<ClusterStatus>({
    environment: spec.environment,
    domains: { public: network.publicDomain, internal: network.internalDomain },
    aks: {
      name: azureNames.cluster(spec),
      id: at(keys.cluster, 'id'),
      privateFqdn: at(keys.cluster, 'privateFqdn'),
      oidcIssuerUrl: at(keys.cluster, 'oidcIssuerUrl'),
    },
    networking: { serviceCidr: formatCidr(addressing.serviceCidr), dnsServiceIp: addressing.dnsServiceIp, podCidr: formatCidr(addressing.podCidr) },
    identities: {
      controlPlane: { clientId: at(keys.controlPlaneIdentity, 'clientId'), principalId: at(keys.controlPlaneIdentity, 'principalId') },
      kubelet: { clientId: aksPath('kubeletIdentity', 'clientId'), principalId: aksPath('kubeletIdentity', 'objectId') },
      secretsProvider: {
        clientId: aksPath('keyVaultSecretsProvider', 'secretIdentity', 0, 'clientId'),
        principalId: aksPath('keyVaultSecretsProvider', 'secretIdentity', 0, 'objectId'),
      },
      workloads: workloads.map((w) => ({
        name: w.name,
        subject: w.subjects[0] ?? '',
        subjects: [...w.subjects],
        clientId: w.clientId,
        principalId: w.principalId,
        roles: [...w.roles],
      })),
    },
    keyVault: { name: azureNames.keyVault(spec), id: stores.keyVaultId, uri: stores.keyVaultUri },
    dataResourceGroupName: stores.resourceGroupName,
    storage: Object.fromEntries(STORAGE_PURPOSES.map((purpose) => [purpose, storage(purpose)])) as ClusterStatus['storage'],
  });
}
