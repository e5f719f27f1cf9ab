import type { Wait } from '../lib/waits.js';
import { networkGates } from './gates.js';
import { cidrOrUndefined, type Cidr } from '../lib/cidr.js';
import type { ResourceRequirement } from '../lib/composition.js';
import { FieldError } from '../lib/field-error.js';
import { dig, digString, isObject, type JsonObject } from '../lib/json.js';
import { checkGroupNotReferenced, referencedGroups, type ReferencedGroup } from '../lib/referenced-groups.js';
import { quote } from '../lib/spec-reader.js';
import { GROUP, KIND as NETWORK_KIND, PRIVATE_LINK_ZONE_KEYS, VERSION, type PrivateLinkZone } from '../network/api.js';
import { recordedSlot } from '../network/priorities.js';
import { MONITORING_IDS, type MonitoringStatus } from '../monitoring/contract.js';
import type { ClusterSpec } from './spec.js';
import type { OutboundType } from '../network/egress.js';

// The XK8treNetwork this cluster lives in, read as a required resource. The cluster takes
// subnet IDs, zone IDs and CIDRs from the network's status, and composes nothing that needs
// them until the network reports them.

export const NETWORK_REQUIREMENT = 'network';

export interface NetworkFacts {
  readonly region: string;
  readonly publicDomain: string;
  readonly internalDomain: string;
  readonly virtualNetworkId: string;
  readonly subnetIds: { readonly nodes: string; readonly privateEndpoints: string; readonly apiServer: string };
  readonly environmentZoneId: string;
  readonly zoneIds: Readonly<Record<PrivateLinkZone, string>>;
  /** Every range the network's VNets use or will use: hub, spokes and the spoke pool. */
  readonly addressRanges: readonly { readonly cidr: Cidr; readonly describe: string }[];
  /** How the nodes' traffic leaves: as the network's egress set it up, or the cluster's own load balancer. */
  readonly outboundType: 'loadBalancer' | OutboundType;
  /** The environment's routing slot: unique and stable within the network. */
  readonly routingSlot: number;
  /** The network peers this environment's spoke with every other (spec.environments[].management). */
  readonly peeredWithAllSpokes: boolean;
  /** How many environments the network has besides this one. */
  readonly otherEnvironments: number;
  /** Resource groups the network's IDs name (a hub, landing-zone zones, a management network): not the cluster's to own. */
  readonly groupsNamed: readonly ReferencedGroup[];
  /** The Application Gateway serving the environment, when it is exposed; its IP once Azure reports it. */
  readonly gateway?: { readonly name: string; readonly publicIpAddress?: string };
  /** What the network's monitoring composed, unless the network has it off (network/monitoring.ts). */
  readonly monitoring?: MonitoringIds;
  /** The gateway's vault, when cert-manager on the management cluster pushes certificates into it (network/certificates.ts). */
  readonly certificatePush?: { readonly keyVaultId: string };
}

/** The IDs a network's monitoring publishes to its clusters (its status's `monitoring`). */
export type MonitoringIds = Required<MonitoringStatus>;

export type NetworkInput = { readonly ready: true; readonly facts: NetworkFacts } | { readonly ready: false; readonly wait: Wait };

export function networkRequirement(spec: ClusterSpec): ResourceRequirement {
  return { name: NETWORK_REQUIREMENT, apiVersion: `${GROUP}/${VERSION}`, kind: NETWORK_KIND, namespace: spec.namespace, matchName: spec.networkName };
}

export function describeNetwork(spec: ClusterSpec): string {
  return `${NETWORK_KIND} ${spec.namespace}/${spec.networkName}`;
}

export function readNetwork(spec: ClusterSpec, required: ReadonlyMap<string, readonly JsonObject[]>): NetworkInput {
  const found = required.get(NETWORK_REQUIREMENT);
  const describe = describeNetwork(spec);
  if (found === undefined) return { ready: false, wait: networkGates.networkFetched(describe) };
  const network = found[0];
  if (!network) throw new FieldError('spec.networkRef.name', `${describe} does not exist`);

  const environments = dig(network, 'spec', 'environments');
  const names = Array.isArray(environments) ? environments.map((e) => (isObject(e) ? e.name : undefined)) : [];
  const envSpec: unknown = Array.isArray(environments) ? (environments as unknown[]).find((e) => isObject(e) && e.name === spec.environment) : undefined;
  if (!names.includes(spec.environment)) {
    throw new FieldError(
      'spec.environment',
      `${quote(spec.environment)} is not an environment of ${describe} (it has ${names.filter((n) => typeof n === 'string').join(', ') || 'none'})`,
    );
  }
  checkOwnResourceGroups(spec, network, describe);

  const status = dig(network, 'status');
  const envStatus = (dig(status, 'environments') as unknown[] | undefined)?.find((e) => isObject(e) && e.name === spec.environment);
  const zones = (dig(status, 'privateDnsZones') as unknown[] | undefined) ?? [];
  const zoneId = (purpose: string) =>
    digString(
      zones.find((z) => isObject(z) && z.purpose === purpose),
      'id',
    );

  const needed: [string, string | undefined][] = [
    ['region', digString(network, 'spec', 'region')],
    ['spoke VNet ID', digString(envStatus, 'virtualNetworkId')],
    ['node subnet ID', digString(envStatus, 'subnets', 'nodes', 'id')],
    ['private endpoint subnet ID', digString(envStatus, 'subnets', 'privateEndpoints', 'id')],
    ['API server subnet ID', digString(envStatus, 'subnets', 'apiServer', 'id')],
    ['environment DNS zone ID', digString(envStatus, 'dnsZone', 'id')],
    ...PRIVATE_LINK_ZONE_KEYS.map((zone): [string, string | undefined] => [`${zone} private DNS zone ID`, zoneId(zone)]),
  ];
  // A network has monitoring unless it says otherwise; its clusters wait for it rather than be
  // created without and changed in place once it arrives.
  const monitored = dig(network, 'spec', 'monitoring', 'enabled') !== false;
  const monitoring = Object.fromEntries(MONITORING_IDS.map((field) => [field, digString(status, 'monitoring', field)]));
  if (monitored) needed.push(...MONITORING_IDS.map((field): [string, string | undefined] => [`monitoring ${field}`, monitoring[field]]));
  // A network with egress tells the outbound type once the spoke's route or NAT gateway, and the
  // firewall behind it, are in place: AKS is created, or switched, only then (network/egress.ts).
  const outboundType = digString(envStatus, 'outboundType') as OutboundType | undefined;
  if (dig(network, 'spec', 'egress') !== undefined) needed.push(['egress path (outboundType)', outboundType]);
  const missing = needed.filter(([, value]) => value === undefined).map(([what]) => what);
  if (missing.length > 0) return { ready: false, wait: networkGates.networkReported(describe, missing, spec.environment) };

  const value = (what: string) => needed.find(([w]) => w === what)?.[1] ?? '';
  return {
    ready: true,
    facts: {
      region: value('region'),
      publicDomain: digString(envStatus, 'publicDomain') ?? '',
      internalDomain: digString(envStatus, 'internalDomain') ?? '',
      virtualNetworkId: value('spoke VNet ID'),
      subnetIds: { nodes: value('node subnet ID'), privateEndpoints: value('private endpoint subnet ID'), apiServer: value('API server subnet ID') },
      environmentZoneId: value('environment DNS zone ID'),
      zoneIds: Object.fromEntries(PRIVATE_LINK_ZONE_KEYS.map((zone) => [zone, value(`${zone} private DNS zone ID`)])) as Record<PrivateLinkZone, string>,
      addressRanges: addressRanges(network),
      outboundType: dig(network, 'spec', 'egress') !== undefined && outboundType ? outboundType : 'loadBalancer',
      routingSlot: recordedSlot(envStatus) ?? 0,
      peeredWithAllSpokes: dig(envSpec, 'management') === true,
      otherEnvironments: names.length - 1,
      groupsNamed: referencedGroups(dig(network, 'spec'), 'spec').map((r) => ({ field: `${r.field} of ${describe}`, group: r.group })),
      ...gatewayOf(envStatus),
      ...(monitored && { monitoring: monitoring as MonitoringIds }),
      ...certificatePushOf(network),
    },
  };
}

function certificatePushOf(network: JsonObject): Pick<NetworkFacts, 'certificatePush'> {
  const certificates = dig(network, 'spec', 'gateway', 'certificates');
  const keyVaultId = digString(certificates, 'keyVaultId');
  return digString(certificates, 'issuance') === 'CertManager' && keyVaultId ? { certificatePush: { keyVaultId } } : {};
}

function gatewayOf(envStatus: unknown): Pick<NetworkFacts, 'gateway'> {
  const name = digString(envStatus, 'gateway', 'name');
  const publicIpAddress = digString(envStatus, 'gateway', 'publicIpAddress');
  return name ? { gateway: { name, ...(publicIpAddress && { publicIpAddress }) } } : {};
}

/** The slot from a network's status; a network from before the slot was recorded has the priority. */
function addressRanges(network: JsonObject): { cidr: Cidr; describe: string }[] {
  const ranges: { cidr: Cidr; describe: string }[] = [];
  const add = (text: unknown, describe: string) => {
    const cidr = cidrOrUndefined(text);
    if (cidr) ranges.push({ cidr, describe: `${describe} ${String(text)}` });
  };
  add(dig(network, 'status', 'hub', 'addressSpace'), 'the hub');
  add(dig(network, 'status', 'management', 'addressSpace'), 'the management network');
  add(dig(network, 'spec', 'addressPool', 'cidr'), 'the spoke pool');
  for (const env of (dig(network, 'status', 'environments') as unknown[] | undefined) ?? []) {
    if (isObject(env)) add(env.addressSpace, `the ${String(env.name)} spoke`);
  }
  return ranges;
}

/**
 * A cluster's groups are not its network's, which two XRs would then own: deleting either would
 * delete the group under the other (or, with azurerm's prevent_deletion_if_contains_resources, hang
 * on it for ever). Groups the network's IDs name are checked with the cluster's own (compose-cluster.ts).
 */
function checkOwnResourceGroups(spec: ClusterSpec, network: JsonObject, describe: string): void {
  const networkGroup = digString(network, 'status', 'resourceGroupName') ?? digString(network, 'spec', 'resourceGroupName');
  if (!networkGroup) return;
  const references = [{ field: `the network (${describe})`, group: networkGroup }];
  checkGroupNotReferenced('spec.resourceGroupName', spec.resourceGroupName, references);
  checkGroupNotReferenced('spec.dataResourceGroupName', spec.dataResourceGroupName, references);
}
