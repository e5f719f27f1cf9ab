import type { ComposeInput, Composition } from '../lib/composition.js';
import { gatedCondition, type Outcome } from '../lib/waits.js';
import { spokeGates } from './gates.js';
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
import { composeSpokeGroups, reportedSpokes, spokeSpec } from './spokes.js';
import { externalNamesOf, legacySpoke, spokeToldEveryName } from './migration.js';
import { handoverStep, holdOrphaning, type HandoverStep } from '../lib/adoption.js';
import type { Previous } from './previous.js';
import type { RoutingPriorities } from './priorities.js';
import type { SpokePlan } from './address-plan.js';
import type { SpokeSpec } from '../spoke/contract.js';
import type { RuleSources } from './security-rules.js';
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
import { composeMonitoring, monitoringFacts } from './monitoring.js';
import { checkCertificatesKept, expiryWarnings } from './certificates.js';
import { composeFirewall, networkOwnsFirewallSubnet, spokeEgress, spokeSources } from './egress.js';
import { merged } from '../lib/records.js';

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
  checkCertificatesKept(spec, previous.spokeSpecs);

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
    checkLandingZoneZoneKept(spec, key, observed, previous);
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
  const hub = composeHub(spec, resources, networkOwnsFirewallSubnet(spec, observed));
  composeManagementReach(spec, resources);
  composeDns(spec, hub, resources);
  // Spoke NSGs admit the gateway from its own subnet when this XR knows it, else from the hub.
  const gatewaySource = formatCidr(spec.hub.mode === 'create' ? hubSubnets(spec.hub.addressSpace).applicationGateway : spec.hub.addressSpace);
  const environments = composeEnvironments(spec, plan, priorities, { gateway: gatewaySource, management: managementRanges }, observed, previous, resources);
  const spokes = reportedSpokes(observed);
  const gateway = composeGateways(spec, hub, priorities, onGateways, spokes, observed, resources);
  composeMonitoring(
    spec,
    observed,
    Array.from({ length: onGateways.count }, (_, index) => ({ name: azureNames.gateway(spec, index), id: observed.atProvider(keys.gateway(index), 'id') })),
    resources,
  );
  const monitoring = monitoringFacts(spec, observed);
  const egress = composeFirewall(spec, spokeSources(spec), monitoring?.logAnalyticsWorkspaceId, observed, resources);
  const unreachable = unreachableWarning(spec);
  const inForceMinCapacity = observed.forProvider(keys.gateway(0), 'autoscaleConfiguration', 'minCapacity') === spec.gateway.minCapacity;
  const groupReason = groupTaken(spec.resourceGroupName, referencedGroups(xr.spec, 'spec'));
  const warnings = [
    ...(unreachable ? [unreachable] : []),
    ...expiryWarnings(spec, spokes, Date.now()),
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
    status: networkStatus(spec, plan, priorities, onGateways, gateway.listeners, observed, spokes, environments.adopted, monitoring),
    // The gateway and new spokes wait on what exists only once Azure reports it; say so on the XR.
    conditions: [
      gatedCondition('SpokesComposed', environments.waits, 'Composed'),
      gatedCondition('GatewayComposed', gateway.waits, 'Composed'),
      ...(egress.firewall ? [gatedCondition('EgressReady', egress.waits, 'FirewallReady')] : []),
    ],
    warnings,
  };
}

/**
 * Each environment's spoke, handed to its group; or, for an environment whose resources this
 * network still composes itself (made before spokes were XRs), the steps of moving them
 * (migration.ts). New groups wait until what their spokes name exists: the resource group, a
 * created hub and the zones the spokes link to.
 */
function composeEnvironments(
  spec: NetworkSpec,
  plan: ReadonlyMap<string, SpokePlan>,
  priorities: ReadonlyMap<string, RoutingPriorities>,
  sources: Omit<RuleSources, 'exposed'>,
  observed: Observed,
  previous: Previous,
  desired: DesiredResources,
): Outcome<{ adopted: ReadonlyMap<string, Record<string, string>> }> {
  const prerequisitesReady =
    observed.isReady(keys.resourceGroup) &&
    (spec.hub.mode !== 'create' || observed.isReady(keys.hubVnet)) &&
    PRIVATE_LINK_ZONE_KEYS.every((key) => spec.dns.privateLinkZones[key] || observed.isReady(keys.dnsZone(key)));
  const manager = spec.managementEnvironment;
  const spokes: { slot: number; paused: boolean; spec: SpokeSpec }[] = [];
  const moving: string[] = [];
  const adopted = new Map<string, Record<string, string>>();
  for (const env of spec.environments) {
    const addresses = plan.get(env.name);
    const slot = priorities.get(env.name)?.slot;
    if (!addresses || slot === undefined) throw new Error(`internal: no address plan or slot for ${env.name}`);
    const legacy = legacySpoke(observed, env.name, manager);
    // Never fewer than before: the names come from the resources while they exist, then from the
    // spoke spec and this XR's status, either of which a reconcile may briefly not see.
    let externalNames = merged(previous.adopted.get(env.name), previous.spokeSpecs.get(env.name)?.externalNames);
    let step: HandoverStep = 'handing-over';
    if (legacy.size > 0) {
      externalNames = merged(externalNames, externalNamesOf(observed, legacy));
      step = handoverStep(observed, legacy.values(), spokeToldEveryName(externalNames, previous.spokeSpecs.get(env.name)?.externalNames ?? {}));
      if (step !== 'handing-over') {
        for (const [key, manifest] of holdOrphaning(observed, legacy.values())) desired.set(key, manifest);
        moving.push(env.name);
      }
      if (step === 'orphaning') continue;
    }
    if (Object.keys(externalNames).length > 0) adopted.set(env.name, externalNames);
    const egress = spokeEgress(spec, observed, previous.spokeSpecs.get(env.name));
    spokes.push({
      slot,
      paused: step === 'paused',
      spec: spokeSpec(spec, env, addresses, { gateway: sources.gateway, management: sources.management, exposed: env.exposed }, externalNames, egress),
    });
  }
  const waiting = composeSpokeGroups(spec, spokes, observed, prerequisitesReady, desired);
  const waits = [
    ...(moving.length > 0 ? [spokeGates.legacyHandover(moving)] : []),
    ...(waiting.length > 0 ? [spokeGates.spokePrerequisites(spokePrerequisites(spec), waiting)] : []),
  ];
  return { adopted, waits };
}

/** What this network composes that every spoke needs first, in words. */
function spokePrerequisites(spec: NetworkSpec): string {
  const zones = PRIVATE_LINK_ZONE_KEYS.some((key) => !spec.dns.privateLinkZones[key]);
  return [
    `the resource group ${spec.resourceGroupName}`,
    ...(spec.hub.mode === 'create' ? ['the hub VNet'] : []),
    ...(zones ? ['the private-link zones'] : []),
  ].join(', ');
}

/**
 * The landing zone's zone the spokes are linked to stays the one in force: a zone of this
 * network's own in its place would be linked to a hub that already has one of that name, which
 * Azure refuses, and AKS takes its private zone only when a cluster is created (privateDnsZoneId
 * forces a new cluster). Read from the spokes' links, which name a landing zone's zone by its
 * group and name rather than by reference.
 */
function checkLandingZoneZoneKept(spec: NetworkSpec, key: PrivateLinkZone, observed: Observed, previous: Previous): void {
  const legacy = spec.environments
    .map((env) => dig(observed.get(keys.dnsLink(key, env.name)), 'spec', 'forProvider'))
    .find((fp) => typeof dig(fp, 'resourceGroupName') === 'string' && dig(fp, 'privateDnsZoneNameRef') === undefined);
  const composed = spec.environments
    .map((env) => previous.spokeSpecs.get(env.name)?.privateLinkZones.find((zone) => zone.purpose === key))
    .find((zone) => zone !== undefined && zone.resourceGroupName.toLowerCase() !== spec.resourceGroupName.toLowerCase());
  const inForce = legacy
    ? { group: String(dig(legacy, 'resourceGroupName')), zone: String(dig(legacy, 'privateDnsZoneName')) }
    : composed && { group: composed.resourceGroupName, zone: composed.name };
  if (!inForce) return;
  const given = spec.dns.privateLinkZones[key];
  if (given && parseArmId(given).resourceGroupName.toLowerCase() === inForce.group.toLowerCase()) return;
  throw new FieldError(
    `spec.dns.privateLinkZones.${key}`,
    `the spokes use the landing zone's ${inForce.zone} in resource group ${inForce.group}, in force; ` +
      (given ? 'another zone of that name' : 'a zone of this network’s own') +
      ' would need every live cluster created again (AKS fixes its private zone at creation) and Azure refuses a second zone of that name on the hub. Keep that zone’s ID here',
  );
}
