import { createHash } from 'node:crypto';
import type { Stamp } from '../lib/stamp.js';
import type { ClusterSpec } from './spec.js';
import { LABEL_CLUSTER, LABEL_ENVIRONMENT, MANAGED_BY, TAG } from '../lib/labels.js';

export const keys = {
  resourceGroup: 'resource-group',
  dataResourceGroup: 'resource-group-data',
  controlPlaneIdentity: 'identity-controlplane',
  controlPlaneNetworkRole: 'role-controlplane-network-contributor',
  controlPlaneDnsRole: 'role-controlplane-private-dns-zone-contributor',
  cluster: 'aks',
  nodePool: (pool: string) => `nodepool-${pool}`,
  dataStores: 'data-stores',
  keyVault: 'keyvault',
  keyVaultEndpoint: 'keyvault-endpoint',
  secretsProviderRole: 'role-secrets-provider-keyvault-secrets-user',
  storage: (purpose: StoragePurpose) => `storage-${purpose}`,
  storageEndpoint: (purpose: StoragePurpose, service: string) => `storage-${purpose}-endpoint-${service}`,
  kubeletStorageRole: (purpose: StoragePurpose, role: string) => `role-kubelet-${purpose}-${role}`,
  identityGroup: (index: number) => `identities-${index}`,
  // An earlier version composed each workload identity in the cluster itself, under these keys
  // (cluster/workload-identities.ts moves them to the identity's XR).
  legacyIdentity: (name: string) => `identity-${name}`,
  legacyFederation: (name: string) => `federation-${name}`,
  legacyRole: (name: string, index: number) => `role-${name}-${index}`,
  inClusterIdentity: 'incluster-identity',
  kubernetesProviderConfig: 'providerconfig-kubernetes',
  helmProviderConfig: 'providerconfig-helm',
  providerAdminRole: 'role-crossplane-cluster-admin',
  gatewayApiCrd: (plural: string) => `gateway-api-${plural}`,
  cilium: 'release-cilium',
  argocdRole: 'role-argocd-cluster-admin',
  argocdCluster: 'argocd-cluster-secret',
  clusterCa: 'cluster-root-ca',
  argocdApplication: 'argocd-entra-application',
  argocdServicePrincipal: 'argocd-entra-service-principal',
  argocdApplicationFederation: 'argocd-entra-federation',
  argocdRelease: 'release-argocd',
  monitoring: 'monitoring',
} as const;

/** AKS's default (system) pool; user pools may not take its name. */
export const SYSTEM_POOL = 'system';

export const STORAGE_PURPOSES = ['workspace', 'core'] as const;
export type StoragePurpose = (typeof STORAGE_PURPOSES)[number];

/**
 * A short, stable suffix for names Azure needs to be globally unique. It hashes the tenant
 * with the XR's identity, so two tenants (or two namespaces) never collide, which the
 * reference's fixed `<env>-k8tre-kv` and `stgk8trecore<env>` names did.
 */
function uniqueSuffix(spec: ClusterSpec): string {
  return createHash('sha256').update(`${spec.tenantId}/${spec.namespace}/${spec.name}`).digest('hex').slice(0, 6);
}

export const azureNames = {
  controlPlaneIdentity: (spec: ClusterSpec) => `id-${spec.name}-controlplane`,
  workloadIdentity: (spec: ClusterSpec, name: string) => `id-${spec.name}-${name}`,
  cluster: (spec: ClusterSpec) => `aks-${spec.name}`,
  containerInsightsRule: (spec: ClusterSpec) => `dcr-${spec.name}-container-insights`,
  // Key Vault names allow no two hyphens in a row, which an XR's name may have.
  keyVault: (spec: ClusterSpec) => spec.keyVault.name ?? `kv-${spec.name.replace(/-+/g, '-').slice(0, 13).replace(/-+$/, '')}-${uniqueSuffix(spec)}`,
  storage: (spec: ClusterSpec, purpose: StoragePurpose) =>
    (purpose === 'core' ? spec.storage.coreName : spec.storage.workspaceName) ??
    `st${spec.name.replace(/-/g, '').slice(0, 10)}${purpose === 'core' ? 'core' : 'ws'}${uniqueSuffix(spec)}`,
};

export function clusterStamp(spec: ClusterSpec, region: string): Stamp {
  return {
    xrName: spec.name,
    namespace: spec.namespace,
    region,
    providerConfigRef: spec.providerConfigRef,
    labels: { [LABEL_CLUSTER]: spec.name, [LABEL_ENVIRONMENT]: spec.environment },
    tags: { [TAG.cluster]: spec.name, [TAG.environment]: spec.environment, ...MANAGED_BY, ...spec.tags },
    resourceGroupKey: keys.resourceGroup,
  };
}
