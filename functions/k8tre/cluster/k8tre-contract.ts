import { parseArmId } from '../lib/arm-id.js';
import type { NetworkFacts } from './network-input.js';
import type { ClusterSpec } from './spec.js';

// What K8TRE's manifests need to know about the infrastructure, published on the ArgoCD cluster
// Secret as annotations, so that K8TRE's ApplicationSets can read them (`{{ index
// .metadata.annotations "azure.k8tre.io/..." }}`) instead of the constants its Azure overlays
// carry today: the rwx-default storage class's account and resource group, external-dns's
// azure.json (tenant, subscription, zone resource group) and client ID, and the ClusterIssuer's
// zone, resource group, subscription and client ID.

export const ANNOTATION_PREFIX = 'azure.k8tre.io/';

/** Every annotation, with what it holds: one source for the Secret and the README's table. */
export const K8TRE_ANNOTATIONS = {
  'tenant-id': 'Entra tenant of the cluster and its identities',
  'subscription-id': 'Subscription of the cluster, its data stores and identities',
  'resource-group': 'Resource group of the AKS cluster and its identities',
  'data-resource-group': 'Resource group of the Key Vault and storage accounts (the rwx-default storage class’s resourceGroup)',
  'storage-account-core': 'Core storage account (the rwx-default storage class’s storageAccount)',
  'storage-account-workspace': 'Workspace storage account',
  'key-vault': 'Key Vault name',
  'private-dns-zone': 'The environment’s private zone (external-dns’s domain filter)',
  'private-dns-zone-resource-group': 'Its resource group (external-dns’s azure.json resourceGroup)',
  'private-dns-zone-subscription-id': 'Its subscription (external-dns’s azure.json subscriptionId)',
  'public-dns-zone': 'The public zone cert-manager solves DNS-01 in (the ClusterIssuer’s hostedZoneName)',
  'public-dns-zone-resource-group': 'Its resource group (the ClusterIssuer’s resourceGroupName)',
  'public-dns-zone-subscription-id': 'Its subscription (the ClusterIssuer’s subscriptionID)',
  'externaldns-client-id': 'Client ID of external-dns’s workload identity',
  'certmanager-client-id': 'Client ID of cert-manager’s workload identity',
  gateway: 'The Application Gateway that serves the environment’s public hosts (an exposed environment)',
  'gateway-public-ip': 'Its public IP address: where the public DNS records of the environment’s hosts point',
} as const;

export interface RegistrationFacts {
  readonly network: NetworkFacts;
  readonly subscriptionId?: string;
  readonly resourceGroupName: string;
  readonly dataResourceGroupName: string;
  readonly keyVaultName: string;
  readonly storageAccounts: { readonly core: string; readonly workspace: string };
  /** Client IDs of the workload identities, by identity name, as far as Azure has reported them. */
  readonly clientIds: Readonly<Record<string, string | undefined>>;
}

export function k8treAnnotations(spec: ClusterSpec, facts: RegistrationFacts): Record<string, string> {
  const privateZone = parseArmId(facts.network.environmentZoneId);
  const publicZone = parseArmId(spec.publicDnsZoneId);
  const values: Record<keyof typeof K8TRE_ANNOTATIONS, string | undefined> = {
    'tenant-id': spec.tenantId,
    'subscription-id': facts.subscriptionId,
    'resource-group': facts.resourceGroupName,
    'data-resource-group': facts.dataResourceGroupName,
    'storage-account-core': facts.storageAccounts.core,
    'storage-account-workspace': facts.storageAccounts.workspace,
    'key-vault': facts.keyVaultName,
    'private-dns-zone': facts.network.internalDomain,
    'private-dns-zone-resource-group': privateZone.resourceGroupName,
    'private-dns-zone-subscription-id': privateZone.subscriptionId,
    'public-dns-zone': publicZone.name,
    'public-dns-zone-resource-group': publicZone.resourceGroupName,
    'public-dns-zone-subscription-id': publicZone.subscriptionId,
    'externaldns-client-id': facts.clientIds.externaldns,
    'certmanager-client-id': facts.clientIds.certmanager,
    gateway: facts.network.gateway?.name,
    'gateway-public-ip': facts.network.gateway?.publicIpAddress,
  };
  const workloads = spec.workloadIdentities.map((identity) => [`${identity.name}-client-id`, facts.clientIds[identity.name]] as const);
  return Object.fromEntries(
    [...Object.entries(values), ...workloads]
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
      .map(([key, value]) => [`${ANNOTATION_PREFIX}${key}`, value]),
  );
}
