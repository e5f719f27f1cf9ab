import { PrivateDnsZoneVirtualNetworkLink, VirtualNetworkPeering } from '../../../imports/network.azure.m.upbound.io.js';
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

export function composeManagementReach(spec: NetworkSpec, desired: DesiredResources): void {
  const management = spec.management;
  if (management) {
    const home = parseArmId(management.virtualNetworkId);
    for (const env of spec.environments) {
      const labels = { environment: env.name };
      desired.set(
        keys.peeringToManagement(env.name),
        peering(spec, keys.peeringToManagement(env.name), azureNames.peeringToManagement(env.name), labels.environment, {
          resourceGroupNameRef: refTo(spec, keys.resourceGroup),
          virtualNetworkNameRef: refTo(spec, keys.spokeVnet(env.name)),
          remoteVirtualNetworkId: management.virtualNetworkId,
        }),
      );
      desired.set(
        keys.peeringFromManagement(env.name),
        peering(spec, keys.peeringFromManagement(env.name), azureNames.peeringFromManagement(spec, env.name), labels.environment, {
          resourceGroupName: home.resourceGroupName,
          virtualNetworkName: home.name,
          remoteVirtualNetworkIdRef: refTo(spec, keys.spokeVnet(env.name)),
        }),
      );
    }
    // The private API servers' names, and the data stores' that the provider reads through their
    // endpoints, resolve through the private-link zones. A landing zone's own zones are linked
    // where the landing zone links them.
    if (management.linkPrivateDnsZones) {
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
  }

  // A management spoke and every other spoke, peered both ways, once per pair.
  const managers = spec.environments.filter((e) => e.management).map((e) => e.name);
  const pairs = new Set<string>();
  for (const manager of managers) {
    for (const env of spec.environments) {
      if (env.name === manager || pairs.has([env.name, manager].sort().join('/'))) continue;
      pairs.add([env.name, manager].sort().join('/'));
      for (const [from, to] of [
        [manager, env.name],
        [env.name, manager],
      ] as const) {
        const key = keys.peeringBetweenSpokes(from, to);
        desired.set(
          key,
          peering(spec, key, azureNames.peeringBetweenSpokes(from, to), from, {
            resourceGroupNameRef: refTo(spec, keys.resourceGroup),
            virtualNetworkNameRef: refTo(spec, keys.spokeVnet(from)),
            remoteVirtualNetworkIdRef: refTo(spec, keys.spokeVnet(to)),
          }),
        );
      }
    }
  }
}

type PeeringEnds =
  | { resourceGroupNameRef: { name: string }; virtualNetworkNameRef: { name: string }; remoteVirtualNetworkId: string }
  | { resourceGroupNameRef: { name: string }; virtualNetworkNameRef: { name: string }; remoteVirtualNetworkIdRef: { name: string } }
  | { resourceGroupName: string; virtualNetworkName: string; remoteVirtualNetworkIdRef: { name: string } };

function peering(spec: NetworkSpec, key: string, azureName: string, environment: string, ends: PeeringEnds) {
  return render(VirtualNetworkPeering, {
    metadata: meta(spec, key, { azureName, environment }),
    spec: {
      providerConfigRef: spec.providerConfigRef,
      forProvider: { ...ends, allowVirtualNetworkAccess: true, allowForwardedTraffic: false },
    },
  });
}
