import type { ComposeInput, Composition } from '../lib/composition.js';
import { parseArmId } from '../lib/arm-id.js';
import { dig } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { planAddresses } from './address-plan.js';
import type { DesiredResources } from '../lib/composition.js';
import { composeDns } from './dns.js';
import { composeGateways } from './gateway.js';
import { placeOnGateways } from './gateway-placement.js';
import { hubSubnets, composeHub, composeResourceGroup } from './hub.js';
import { checkNetworkChanges } from './day2.js';
import { readPrevious } from './previous.js';
import { planPriorities } from './priorities.js';
import { checkHostedEnvironmentsKept, hostedClustersRequirement, readHostedClusters } from './hosted-clusters.js';
import { holdObserved } from '../lib/hold.js';
import { parseNetworkSpec, type NetworkSpec } from './spec.js';
import { composeSpoke } from './spokes.js';
import { networkStatus, type NetworkStatus } from './status.js';
import { formatCidr, overlaps } from '../lib/cidr.js';
import { FieldError } from '../lib/field-error.js';
import { ruleOrInForce } from '../lib/in-force.js';
import { groupTaken, referencedGroups } from '../lib/referenced-groups.js';
import { defaults, PRIVATE_LINK_ZONE_KEYS, PRIVATE_LINK_ZONES, type PrivateLinkZone } from './api.js';
import { azureNames, keys } from './naming.js';
import { composeManagementReach, managementSources, unreachableWarning } from './management-reach.js';
import { quote } from '../lib/spec-reader.js';
import { AZURE_REGIONS } from './regions.js';

export interface NetworkComposition extends Composition {
  readonly resources: DesiredResources;
  readonly status: NetworkStatus;
}

/** Everything an XK8treNetwork composes. Throws FieldError on input it cannot compose from. */
export function composeNetwork({ xr, observed, required }: ComposeInput): NetworkComposition {
  const spec = parseNetworkSpec({ name: dig(xr, 'metadata', 'name'), namespace: dig(xr, 'metadata', 'namespace') }, xr.spec);
  const previous = readPrevious(
    spec.environments.map((e) => e.name),
    xr.status,
    observed,
  );
  const { removed } = previous;
  // Asked for only when an environment goes: each requirement costs Crossplane a second call.
  const requirements = removed.length > 0 ? [hostedClustersRequirement(spec.namespace, spec.name)] : [];
  const hosted = readHostedClusters(required);
  if (removed.length > 0 && hosted === undefined) {
    // Whether a cluster lives in a removed environment is known only once Crossplane has fetched
    // the clusters' Usages, which it does before calling again in the same reconcile: until then
    // everything is held as it is.
    return { resources: holdObserved(observed), status: dig(xr, 'status') as NetworkStatus, conditions: [], requirements };
  }
  if (hosted) checkHostedEnvironmentsKept(spec, removed, hosted);
  checkNetworkChanges(spec, observed, previous);

  // A zone this network made holds its endpoints' records, and AKS takes its private zone only when
  // a cluster is created (privateDnsZoneId forces a new cluster): switching it for a landing
  // zone's would delete the one and need new clusters.
  for (const key of PRIVATE_LINK_ZONE_KEYS) {
    if (spec.dns.privateLinkZones[key] && observed.has(keys.dnsZone(key))) {
      throw new FieldError(
        `spec.dns.privateLinkZones.${key}`,
        `this network already has its own ${PRIVATE_LINK_ZONES[key](spec.region)} zone, which holds its endpoints' records and which live clusters were created with; ` +
          'a landing zone’s zone can be used by a network made with it from the start',
      );
    }
    checkLandingZoneZoneKept(spec, key, observed);
  }
  const management = spec.management;
  if (management && overlaps(management.addressSpace, spec.hub.addressSpace)) {
    throw new FieldError(
      'spec.management.addressSpace',
      `${formatCidr(management.addressSpace)} overlaps the hub (${formatCidr(spec.hub.addressSpace)}); peered networks must not overlap`,
    );
  }
  if (management) {
    // Private DNS links are named after the VNet they link, and a zone holds one link of a name.
    const linked = [
      { what: 'the hub', name: spec.hub.mode === 'existing' ? parseArmId(spec.hub.virtualNetworkId).name : azureNames.hubVnet(spec) },
      ...spec.environments.map((env) => ({ what: `environment ${env.name}'s spoke`, name: azureNames.spokeVnet(spec, env.name) })),
    ];
    const twin = linked.find((vnet) => vnet.name.toLowerCase() === parseArmId(management.virtualNetworkId).name.toLowerCase());
    if (twin) {
      throw new FieldError(
        'spec.management.virtualNetworkId',
        `names a VNet called ${twin.name}, like ${twin.what}; their links to each private zone would share the name link-${twin.name}, which a zone holds once. Use a network with another name`,
      );
    }
  }
  const plan = planAddresses({
    hub: spec.hub.addressSpace,
    ...(management && {
      others: [{ cidr: management.addressSpace, describe: `the management network (spec.management.addressSpace ${formatCidr(management.addressSpace)})` }],
    }),
    ...(spec.addressPool && { pool: spec.addressPool }),
    environments: spec.environments.map((e) => ({ name: e.name, field: e.field, ...(e.addressSpace && { explicit: e.addressSpace }) })),
    previous: previous.spokes,
    reserved: previous.lingering,
  });
  const priorities = planPriorities(spec.environments, previous.slots);
  const onGateways = placeOnGateways(
    spec.environments.filter((e) => e.exposed).map((e) => e.name),
    previous.gateways,
  );
  const managementRanges = managementSources(spec, plan);

  const resources: DesiredResources = new Map();
  composeResourceGroup(spec, resources);
  const hub = composeHub(spec, resources);
  // Spoke NSGs admit the gateway from its own subnet when this XR knows it, else from the hub.
  const gatewaySource = formatCidr(spec.hub.mode === 'create' ? hubSubnets(spec.hub.addressSpace).applicationGateway : spec.hub.addressSpace);
  for (const env of spec.environments) {
    const spoke = plan.get(env.name);
    if (!spoke) throw new Error(`internal: no address plan for ${env.name}`);
    composeSpoke(spec, env.name, spoke, hub, { gateway: gatewaySource, management: managementRanges, exposed: env.exposed }, resources);
  }
  composeManagementReach(spec, resources);
  composeDns(spec, hub, resources);
  const gateway = composeGateways(spec, hub, priorities, onGateways, observed, resources);
  const unreachable = unreachableWarning(spec);
  const inForceMinCapacity = observed.forProvider(keys.gateway(0), 'autoscaleConfiguration', 'minCapacity') === spec.gateway.minCapacity;
  const groupReason = groupTaken(spec.resourceGroupName, referencedGroups(xr.spec, 'spec'));
  const warnings = [
    ...(unreachable ? [unreachable] : []),
    // Its own group must not be one its IDs name (lib/referenced-groups.ts); a live one is kept.
    ...ruleOrInForce(groupReason !== undefined, observed.has(keys.resourceGroup), 'spec.resourceGroupName', groupReason ?? ''),
    // A region Azure opened after the list was made is live for a network already there.
    ...ruleOrInForce(
      !(AZURE_REGIONS as readonly string[]).includes(spec.region),
      observed.forProvider(keys.resourceGroup, 'location') === spec.region,
      'spec.region',
      `${quote(spec.region)} is not an Azure public-cloud region this package knows (network/regions.ts), such as uksouth or westeurope`,
    ),
    ...ruleOrInForce(
      spec.gateway.zones.length > 1 && spec.gateway.minCapacity < defaults.zonalGatewayMinCapacity,
      inForceMinCapacity,
      'spec.gateway.minCapacity',
      `${spec.gateway.minCapacity} is too few for a gateway across ${spec.gateway.zones.length} zones; zone redundancy needs at least ${defaults.zonalGatewayMinCapacity} instances`,
    ),
  ];

  return {
    resources,
    requirements,
    status: networkStatus(spec, plan, priorities, onGateways, gateway.listeners, observed),
    // The gateway waits on IDs that exist only once Azure reports them; say so on the XR.
    conditions: [
      gateway.waitingFor
        ? { type: 'GatewayComposed', ready: false, reason: 'WaitingForPrerequisites', message: `Waiting for ${gateway.waitingFor}` }
        : { type: 'GatewayComposed', ready: true, reason: 'Composed' },
    ],
    warnings,
  };
}

/**
 * The landing zone's zone the spokes are linked to stays the one in force: a zone of this
 * network's own in its place would be linked to a hub that already has one of that name, which
 * Azure refuses, and AKS takes its private zone only when a cluster is created (privateDnsZoneId
 * forces a new cluster). Read from the spokes' links, which name a landing zone's zone by its
 * group and name rather than by reference.
 */
function checkLandingZoneZoneKept(spec: NetworkSpec, key: PrivateLinkZone, observed: Observed): void {
  const link = spec.environments
    .map((env) => dig(observed.get(keys.dnsLink(key, env.name)), 'spec', 'forProvider'))
    .find((fp) => typeof dig(fp, 'resourceGroupName') === 'string' && dig(fp, 'privateDnsZoneNameRef') === undefined);
  if (!link) return;
  const inForce = { group: String(dig(link, 'resourceGroupName')), zone: String(dig(link, 'privateDnsZoneName')) };
  const given = spec.dns.privateLinkZones[key];
  if (given && parseArmId(given).resourceGroupName.toLowerCase() === inForce.group.toLowerCase()) return;
  throw new FieldError(
    `spec.dns.privateLinkZones.${key}`,
    `the spokes use the landing zone's ${inForce.zone} in resource group ${inForce.group}, in force; ` +
      (given ? 'another zone of that name' : 'a zone of this network’s own') +
      ' would need every live cluster created again (AKS fixes its private zone at creation) and Azure refuses a second zone of that name on the hub. Keep that zone’s ID here',
  );
}
