import { formatCidr } from '../lib/cidr.js';
import { compact } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import type { ClusterAddressing } from './addressing.js';
import type { DataStores } from './data-stores.js';
import type { WorkloadIdentityOutcome } from './identities.js';
import type { NetworkFacts } from './network-input.js';
import { azureNames, keys, STORAGE_PURPOSES, type StoragePurpose } from './naming.js';
import type { ClusterSpec } from './spec.js';

// The XR's status contract: what K8TRE and the management cluster read. IDs appear once
// Azure reports them; the client IDs replace the values the reference made people hard-code.

export interface IdentityStatus {
  clientId?: string;
  principalId?: string;
}

export interface ClusterStatus {
  environment: string;
  domains: { public: string; internal: string };
  aks: { name: string; id?: string; privateFqdn?: string; oidcIssuerUrl?: string };
  networking: { serviceCidr: string; dnsServiceIp: string; podCidr: string };
  identities: {
    controlPlane: IdentityStatus;
    kubelet: IdentityStatus;
    secretsProvider: IdentityStatus;
    workloads: (IdentityStatus & { name: string; subject: string; subjects: string[]; roles: { role: string; scope: string }[] })[];
  };
  keyVault: { name: string; id?: string; uri?: string };
  /** Where the Key Vault and storage accounts live. */
  dataResourceGroupName: string;
  storage: Record<StoragePurpose, { name: string; id?: string }>;
}

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
        clientId: at(keys.workloadIdentity(w.name), 'clientId'),
        principalId: at(keys.workloadIdentity(w.name), 'principalId'),
        roles: [...w.roles],
      })),
    },
    keyVault: { name: azureNames.keyVault(spec), id: stores.keyVaultId, uri: at(keys.keyVault, 'vaultUri') },
    dataResourceGroupName: stores.resourceGroupName,
    storage: Object.fromEntries(STORAGE_PURPOSES.map((purpose) => [purpose, storage(purpose)])) as Record<StoragePurpose, { name: string; id?: string }>,
  });
}
