import { cidrOrUndefined, formatCidr } from '../lib/cidr.js';
import { FieldError } from '../lib/field-error.js';
import { dig } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { SUPPORTED_MINORS } from './aks-versions.js';
import { ZONE_REDUNDANT_REPLICATION } from './api.js';
import type { PreviousPodCidr } from './addressing.js';
import { keys, STORAGE_PURPOSES } from './naming.js';
import { storesInForce } from './stores-in-force.js';
import { describeNetwork, type NetworkFacts } from './network-input.js';
import type { ClusterSpec } from './spec.js';

// Day-2 edits that AKS would carry out only by replacing the cluster, or that it refuses, checked
// against what Crossplane observes (the XRD refuses the same at admission where a transition rule
// can; an XR made before those rules, or one adopting resources, meets these here). Each message
// names the field, the value in force, and the safe way to the goal.

export function checkClusterChanges(spec: ClusterSpec, xrStatus: unknown, observed: Observed): void {
  const aks = (...path: string[]) => observed.forProvider(keys.cluster, ...path);
  const environment = dig(xrStatus, 'environment');
  if (observed.has(keys.cluster) && typeof environment === 'string' && environment !== spec.environment) {
    throw new FieldError(
      'spec.environment',
      `is ${environment} in force; the cluster lives in that environment's spoke, and AKS moves no cluster to another subnet: it would have to be created again. Create a cluster for ${spec.environment} and move workloads to it`,
    );
  }

  const tenant = aks('azureActiveDirectoryRoleBasedAccessControl', 'tenantId');
  if (typeof tenant === 'string' && tenant.toLowerCase() !== spec.tenantId.toLowerCase()) {
    throw new FieldError(
      'spec.tenantId',
      `is ${tenant} in force; the cluster's Entra integration, its identities and its Key Vault belong to that tenant. A cluster in another tenant is a new cluster, with new stores`,
    );
  }

  const serviceCidr = aks('networkProfile', 'serviceCidr');
  if (typeof serviceCidr === 'string' && serviceCidr !== formatCidr(spec.serviceCidr)) {
    throw new FieldError(
      'spec.networking.serviceCidr',
      `is ${serviceCidr} in force; AKS fixes a cluster's service range when it is created. Set ${serviceCidr}, or create a new cluster with the range`,
    );
  }

  const podCidr = previousPodCidr(xrStatus, observed);
  if (podCidr?.live && spec.podCidr && formatCidr(podCidr.cidr) !== formatCidr(spec.podCidr)) {
    const inForce = formatCidr(podCidr.cidr);
    throw new FieldError(
      'spec.networking.podCidr',
      `is ${inForce} in force; every running pod has an address from it, and Cilium cannot renumber a live pool. Set ${inForce}, or create a new cluster with the range`,
    );
  }

  checkVersionStep(spec.kubernetesVersion, aks('kubernetesVersion'));
  checkReplicationClass(spec, observed);
}

/**
 * Between zone-redundant replication (ZRS, GZRS, RAGZRS) and the rest, azurerm can only replace
 * the account (storage_account's account_replication_type forces a new one); upjet refuses
 * replacements, so the account would stay out of sync for ever, and a replacement would be a new,
 * empty store. Within a class it changes in place. Azure can convert an account's redundancy itself
 * (https://learn.microsoft.com/azure/storage/common/redundancy-migration); after that, set the new value.
 */
function checkReplicationClass(spec: ClusterSpec, observed: Observed): void {
  const zoneRedundant = (replication: string) => ZONE_REDUNDANT_REPLICATION.includes(replication);
  for (const purpose of STORAGE_PURPOSES) {
    const inForce = storesInForce(observed).storage[purpose]?.replication;
    if (typeof inForce !== 'string' || zoneRedundant(inForce) === zoneRedundant(spec.storage.replication)) continue;
    throw new FieldError(
      'spec.storage.replication',
      `${spec.storage.replication} cannot reach the ${purpose} account, whose ${inForce} is in force: the provider can move an account into or out of zone redundancy only by replacing it, empty, which it refuses. ` +
        `Keep ${inForce}, or have Azure convert the account (Redundancy, in the portal) and then set the value it has`,
    );
  }
}

/**
 * AKS upgrades one minor at a time and never downgrades; a cluster past its end of life may go
 * straight to the lowest supported minor
 * (https://learn.microsoft.com/azure/aks/supported-kubernetes-versions, "Can I skip multiple AKS versions").
 */
function checkVersionStep(wanted: string, inForce: unknown): void {
  if (typeof inForce !== 'string' || inForce === wanted) return;
  const minor = (version: string) => Number(version.split('.')[1]);
  const [from, to] = [minor(inForce), minor(wanted)];
  if (to < from) {
    throw new FieldError('spec.kubernetesVersion', `${wanted} is older than ${inForce}, in force; AKS does not downgrade a cluster. Keep ${inForce}`);
  }
  // Past end of life, the next step is the oldest supported minor, however far; otherwise the next minor.
  const next = SUPPORTED_MINORS.includes(inForce) ? `1.${from + 1}` : SUPPORTED_MINORS[0];
  if (to > from + 1 && wanted !== next) {
    const why = SUPPORTED_MINORS.includes(inForce) ? 'AKS upgrades one minor at a time' : `${inForce} is past end of life, and AKS upgrades it only to ${next}`;
    throw new FieldError('spec.kubernetesVersion', `${inForce} is in force; ${why}, so go to ${next} first`);
  }
}

/**
 * The subnet the cluster's nodes are in, as observed, against the one its network now gives: AKS
 * moves no node pool between subnets (vnet_subnet_id forces a new cluster), so pointing the XR at
 * another network, or at a network whose environment is another spoke, would need a new cluster.
 * Covers what status cannot: an XR without status yet, adopting a live cluster.
 */
export function checkClusterPlacement(spec: ClusterSpec, network: NetworkFacts, observed: Observed): void {
  const inForce = observed.forProvider(keys.cluster, 'defaultNodePool', 'vnetSubnetId');
  if (typeof inForce !== 'string' || inForce.toLowerCase() === network.subnetIds.nodes.toLowerCase()) return;
  throw new FieldError(
    'spec.networkRef.name',
    `the cluster's nodes are in ${inForce}, in force; environment ${spec.environment} of ${describeNetwork(spec)} gives ${network.subnetIds.nodes}, ` +
      'and AKS moves no node pool between subnets, so it would need a new cluster. Point spec.networkRef and spec.environment at the network and environment that hold its subnet, or create a new cluster there and move workloads',
  );
}

/**
 * The pod pool chosen before: what the running Cilium release was given, which holds for an XR
 * adopting a cluster too, else what the XR's status recorded before Cilium was installed.
 */
export function previousPodCidr(xrStatus: unknown, observed: Observed): PreviousPodCidr | undefined {
  const pools = observed.forProvider(keys.cilium, 'values', 'ipam', 'operator', 'clusterPoolIPv4PodCIDRList');
  const running = Array.isArray(pools) ? cidrOrUndefined(pools[0]) : undefined;
  if (running) return { cidr: running, live: true };
  const recorded = cidrOrUndefined(dig(xrStatus, 'networking', 'podCidr'));
  return recorded && { cidr: recorded, live: false };
}
