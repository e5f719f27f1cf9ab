import { PrivateDnsZoneVirtualNetworkLink } from '../../../imports/network.azure.m.upbound.io.js';
import { formatCidr } from '../lib/cidr.js';
import type { DesiredResources } from '../lib/composition.js';
import { render } from '../lib/manifest.js';
import type { SpokePlan } from './address-plan.js';
import { sharedZones } from './dns.js';
import { hubSubnets } from './hub.js';
import { parseArmId } from '../lib/arm-id.js';
import { azureNames, keys, meta, refTo, tags } from './naming.js';
import type { NetworkSpec } from './spec.js';

// How the management side reaches every environment's private API server and data stores.
// provider-helm and provider-kubernetes (in the cluster Crossplane runs in) and ArgoCD talk to
// each cluster's API server; VNet peering is not transitive, so a network peered only with the
// hub cannot reach a spoke through it
// (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview).
// Three places work:
//   - the hub itself (an existing hub the management cluster lives in: the GitOps layout);
//   - spec.management, a VNet of its own, peered directly with every spoke;
//   - a management environment (a `role: Management` cluster's spoke), peered with every other spoke.
// The peerings are the spokes' (spoke/compose-spoke.ts); this file says what they admit.

/**
 * The address ranges the spokes' NSGs admit as management: an existing hub (where the GitOps
 * layout runs Crossplane), a created hub's management subnet (jump hosts, CI runners), the
 * management network and management spokes. In address order, so that reordering environments
 * changes no rule.
 */
export function managementSources(spec: NetworkSpec, plan: ReadonlyMap<string, SpokePlan>): string[] {
  const hub = spec.hub.mode === 'existing' ? spec.hub.addressSpace : spec.hub.managementSubnet ? hubSubnets(spec.hub.addressSpace).management : undefined;
  const spokes = spec.environments.filter((e) => e.management).map((e) => plan.get(e.name)?.addressSpace);
  return [hub, spec.management?.addressSpace, ...spokes]
    .flatMap((cidr) => (cidr ? [cidr] : []))
    .sort((a, b) => a.base - b.base)
    .map(formatCidr);
}

/** Why nothing of the management side can reach the clusters, if that is so. */
export function unreachableWarning(spec: NetworkSpec): string | undefined {
  if (spec.hub.mode === 'existing' || spec.management) return undefined;
  return (
    'spec.management: the hub is created by this XR and no network where Crossplane runs is named, so provider-helm and provider-kubernetes ' +
    'cannot reach the clusters’ private API servers (VNet peering is not transitive). Name the VNet Crossplane runs in, or adopt it as spec.hub.existing'
  );
}

/**
 * The private API servers' names, and the data stores' that the provider reads through their
 * endpoints, resolve through the private-link zones: those this network composes are linked to the
 * management network. A landing zone's own zones are linked where the landing zone links them.
 * The peerings with the management network and the management spoke are each spoke's.
 */
export function composeManagementReach(spec: NetworkSpec, desired: DesiredResources): void {
  const management = spec.management;
  if (!management?.linkPrivateDnsZones) return;
  const home = parseArmId(management.virtualNetworkId);
  for (const { key } of sharedZones(spec.region).filter((zone) => !spec.dns.privateLinkZones[zone.key])) {
    desired.set(
      keys.dnsLink(key, 'management'),
      render(PrivateDnsZoneVirtualNetworkLink, {
        metadata: meta(spec, keys.dnsLink(key, 'management'), { azureName: azureNames.dnsLink(home.name) }),
        spec: {
          providerConfigRef: spec.providerConfigRef,
          forProvider: {
            resourceGroupNameRef: refTo(spec, keys.resourceGroup),
            privateDnsZoneNameRef: refTo(spec, keys.dnsZone(key)),
            virtualNetworkId: management.virtualNetworkId,
            registrationEnabled: false,
            tags: tags(spec),
          },
        },
      }),
    );
  }
}
