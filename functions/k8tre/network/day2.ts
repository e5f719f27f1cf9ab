import { cidrOrUndefined, formatCidr } from '../lib/cidr.js';
import { FieldError } from '../lib/field-error.js';
import { dig } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { environmentZoneKey } from './dns.js';
import { isSplitHorizon } from './domains.js';
import { gatewayIndexOfKey, keys } from './naming.js';
import type { Previous } from './previous.js';
import type { NetworkSpec } from './spec.js';

// Day-2 edits that Azure would carry out only by deleting and recreating what exists, refused from
// what Crossplane observes (the XRD refuses the same at admission where a rule can see both the old
// and the new object; an XR made before that rule, or one adopting resources, meets these here).
// Each message names the field, the value in force, and how to reach the goal safely.

export function checkNetworkChanges(spec: NetworkSpec, observed: Observed, previous: Previous): void {
  const location = observed.forProvider(keys.resourceGroup, 'location');
  if (typeof location === 'string' && location !== spec.region) {
    throw new FieldError(
      'spec.region',
      `is ${location} in force; Azure moves no VNet, gateway or zone between regions, so a new region is a new network: create one there and move environments to it`,
    );
  }

  const group = observed.externalName(keys.resourceGroup);
  if (typeof group === 'string' && group.toLowerCase() !== spec.resourceGroupName.toLowerCase()) {
    throw new FieldError(
      'spec.resourceGroupName',
      `is ${group} in force; a new name is a new group, and everything in the old one would have to be created again there. Set spec.resourceGroupName: ${group}`,
    );
  }

  const hubSpaces = observed.forProvider(keys.hubVnet, 'addressSpace');
  const hubRange = Array.isArray(hubSpaces) ? cidrOrUndefined(hubSpaces[0]) : undefined;
  if (observed.has(keys.hubVnet) && spec.hub.mode === 'existing') {
    throw new FieldError(
      'spec.hub.existing',
      'the hub is created by this network and its spokes are peered with it; adopting another hub would delete it, its gateway subnet and every peering. Create a new network on the other hub instead',
    );
  }
  checkPeeredHub(spec, observed, previous);
  if (hubRange && spec.hub.mode === 'create' && formatCidr(hubRange) !== formatCidr(spec.hub.addressSpace)) {
    throw new FieldError(
      'spec.hub.addressSpace',
      `is ${formatCidr(hubRange)} in force; the hub's subnets are carved from it, and Azure renumbers no subnet in use (the gateway's). Keep ${formatCidr(hubRange)}`,
    );
  }

  checkGatewayZones(spec, observed);
  checkManagementNetwork(spec, observed, previous);
  checkEnvironmentZoneNames(spec, observed, previous);

  for (const env of spec.environments) {
    const allocated = previous.spokes.get(env.name)?.addressSpace;
    if (env.addressSpace && allocated && formatCidr(env.addressSpace) !== formatCidr(allocated)) {
      throw new FieldError(
        `${env.field}.addressSpace`,
        `${env.name} has ${formatCidr(allocated)} in force; allocations never move, since Azure renumbers no subnet that nodes and endpoints use. ` +
          `Set ${formatCidr(allocated)}, or add a new environment with the range and move workloads to it`,
      );
    }
  }
}

/**
 * The existing hub the spokes are peered with, read from their observed peerings: a peering's
 * remote network is fixed when it is created (azurerm's remote_virtual_network_id is ForceNew), so
 * another hub, or a hub created here instead, needs every peering created again, cutting each spoke
 * off its DNS and the management networks (and Upjet refuses to replace a resource, so it never lands).
 */
function checkPeeredHub(spec: NetworkSpec, observed: Observed, previous: Previous): void {
  if (observed.has(keys.hubVnet)) return;
  const peeredWith = spec.environments
    .flatMap((env) => {
      const peering = observed.get(keys.peeringToHub(env.name));
      const legacy = {
        id: dig(peering, 'spec', 'forProvider', 'remoteVirtualNetworkId'),
        ref: dig(peering, 'spec', 'forProvider', 'remoteVirtualNetworkIdRef'),
      };
      const hub = previous.spokeSpecs.get(env.name)?.hub;
      return [legacy, { id: hub?.virtualNetworkId, ref: hub?.virtualNetworkRef }];
    })
    .find((remote): remote is { id: string; ref: undefined } => typeof remote.id === 'string' && remote.ref === undefined)?.id;
  if (!peeredWith) return;
  if (spec.hub.mode === 'create') {
    throw new FieldError(
      'spec.hub',
      `the spokes are peered with the existing hub ${peeredWith} in force; creating a hub here needs every peering created again. ` +
        'Keep spec.hub.existing, or create a new network with its own hub and move environments to it',
    );
  }
  if (spec.hub.virtualNetworkId.toLowerCase() !== peeredWith.toLowerCase()) {
    throw new FieldError(
      'spec.hub.existing.virtualNetworkId',
      `is ${peeredWith} in force; the spokes are peered with it, and another hub needs every peering created again. ` +
        `Set ${peeredWith}, or create a new network on the other hub and move environments to it`,
    );
  }
}

/** Azure places a gateway and its public IP in zones when it creates them: other zones mean a new gateway and a new address (zones forces a new resource). */
function checkGatewayZones(spec: NetworkSpec, observed: Observed): void {
  for (const key of observed.names().filter((name) => gatewayIndexOfKey(name) !== undefined)) {
    const zones = observed.forProvider(key, 'zones');
    if (!Array.isArray(zones)) continue;
    const inForce = zones.map(String).sort().join(', ');
    if (inForce === [...spec.gateway.zones].sort().join(', ')) continue;
    throw new FieldError(
      'spec.gateway.zones',
      `are ${inForce || 'none'} in force; Azure cannot move a gateway or its public IP to other zones, only replace them, and every environment's public address would change. Keep them`,
    );
  }
}

/** A peering's remote network is fixed when it is created: another management network needs every peering with it created again. */
function checkManagementNetwork(spec: NetworkSpec, observed: Observed, previous: Previous): void {
  const given = spec.management?.virtualNetworkId;
  if (!given) return;
  const inForce = spec.environments
    .flatMap((env) => [
      observed.forProvider(keys.peeringToManagement(env.name), 'remoteVirtualNetworkId'),
      previous.spokeSpecs.get(env.name)?.management?.virtualNetworkId,
    ])
    .find((id): id is string => typeof id === 'string');
  if (!inForce || inForce.toLowerCase() === given.toLowerCase()) return;
  throw new FieldError(
    'spec.management.virtualNetworkId',
    `is ${inForce} in force; the spokes are peered with it, and another network needs every peering created again, cutting Crossplane off the clusters' API servers. ` +
      `Set ${inForce}, or remove spec.management and add it again with the other network once nothing depends on the old one`,
  );
}

/**
 * An environment's private zone is named from the internal domain and whether it is the apex: a
 * new name is a new, empty zone (Crossplane gives the resource the new external name), and the old
 * zone, with the records external-dns wrote and its links, is left behind.
 */
function checkEnvironmentZoneNames(spec: NetworkSpec, observed: Observed, previous: Previous): void {
  for (const env of spec.environments) {
    const inForce = observed.externalName(keys.dnsZone(environmentZoneKey(env.name))) ?? previous.spokeSpecs.get(env.name)?.dnsZone;
    const wanted = env.domains.internal;
    if (typeof inForce !== 'string' || inForce === wanted) continue;
    const apexToggled = inForce === spec.dns.internalDomain || wanted === spec.dns.internalDomain;
    const field = apexToggled ? `${env.field}.apex` : isSplitHorizon(spec) ? 'spec.dns.publicZone' : 'spec.dns.internalDomain';
    throw new FieldError(
      field,
      `gives environment ${env.name} the zone ${wanted}, but ${inForce} is in force; a new name is a new, empty zone, and the old one with its records is left behind. ` +
        'Keep the name, or add a new network with the new domain and move environments to it',
    );
  }
}
