import { parseArmId } from '../lib/arm-id.js';
import { formatCidr } from '../lib/cidr.js';
import type { DesiredResources } from '../lib/composition.js';
import { dig, isObject } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { GROUP_KIND } from '../spoke/api.js';
import type { SpokeSpec, SpokeStatus } from '../spoke/contract.js';
import { reportedBy, type SpokeGroupSpec } from '../spoke/group.js';
import { spokeXrName } from '../spoke/naming.js';
import { groupOfSlot } from '../spoke/tree.js';
import { SUBNET_ROLES, type SpokePlan } from './address-plan.js';
import { sharedZoneHomes } from './dns.js';
import { spokeCertificate } from './certificates.js';
import { azureNames, keys, networkChildXr, refTo, tags } from './naming.js';
import type { RuleSources } from './security-rules.js';
import type { EnvironmentSpec, NetworkSpec } from './spec.js';

// What the network tells each environment's spoke, and the groups it hands the spokes to
// (spoke/tree.ts). Every fact a spoke needs is decided here, from the network's spec and what it
// keeps; nothing the spoke is told depends on an ID Azure reports, so a spoke's spec never flickers,
// but for a composed firewall's IP, which is kept once told (network/egress.ts).

/** The spoke spec a network composed for each environment, from its observed groups. */
export function composedSpokes(observed: Observed): Map<string, SpokeSpec> {
  return fromGroups(observed, 'spec', (entry) => {
    const spec = dig(entry, 'spec');
    const environment = dig(spec, 'environment');
    return isObject(spec) && typeof environment === 'string' ? [environment, spec as unknown as SpokeSpec] : undefined;
  });
}

/** What the groups report of each spoke (status.spokes), by environment. */
export function reportedSpokes(observed: Observed): Map<string, SpokeStatus> {
  return fromGroups(observed, 'status', (entry) => {
    const environment = dig(entry, 'environment');
    return typeof environment === 'string' ? [environment, reportedBy({ status: entry })] : undefined;
  });
}

/** Every entry of the observed groups' `spec.spokes` or `status.spokes`, read by `entryOf`. */
function fromGroups<T>(observed: Observed, part: 'spec' | 'status', entryOf: (entry: unknown) => [string, T] | undefined): Map<string, T> {
  const entries = new Map<string, T>();
  for (const key of observed.names().filter(isGroupKey)) {
    const list = dig(observed.get(key), part, 'spokes');
    for (const entry of Array.isArray(list) ? (list as unknown[]) : []) {
      const read = entryOf(entry);
      if (read) entries.set(...read);
    }
  }
  return entries;
}

const GROUP_KEY = /^spokes-[1-9][0-9]*$/;
const isGroupKey = (key: string) => GROUP_KEY.test(key);
const groupKey = (index: number) => `spokes-${index + 1}`;

export function spokeSpec(
  spec: NetworkSpec,
  env: EnvironmentSpec,
  plan: SpokePlan,
  access: RuleSources,
  externalNames: Readonly<Record<string, string>> | undefined,
  egress: Pick<SpokeSpec, 'egressNextHopIp' | 'egressNatGateway'>,
): SpokeSpec {
  const hub =
    spec.hub.mode === 'existing'
      ? { virtualNetworkId: spec.hub.virtualNetworkId, ...peerHome(spec.hub.virtualNetworkId) }
      : { virtualNetworkRef: refTo(spec, keys.hubVnet).name, resourceGroupName: spec.resourceGroupName, virtualNetworkName: azureNames.hubVnet(spec) };
  const manager = spec.managementEnvironment;
  return {
    network: spec.name,
    environment: env.name,
    region: spec.region,
    resourceGroupName: spec.resourceGroupName,
    providerConfigRef: { ...spec.providerConfigRef },
    tags: tags(spec),
    addressSpace: formatCidr(plan.addressSpace),
    subnets: Object.fromEntries(SUBNET_ROLES.map((role) => [role, formatCidr(plan.subnets[role])])) as SpokeSpec['subnets'],
    access: { gateway: access.gateway, management: [...access.management], exposed: access.exposed },
    ...egress,
    ...spokeCertificate(spec, env),
    hub,
    ...(spec.management && { management: { virtualNetworkId: spec.management.virtualNetworkId, ...peerHome(spec.management.virtualNetworkId) } }),
    ...(manager && manager !== env.name && { managementEnvironment: manager }),
    privateLinkZones: sharedZoneHomes(spec),
    dnsZone: env.domains.internal,
    ...(externalNames && Object.keys(externalNames).length > 0 && { externalNames: { ...externalNames } }),
  };
}

function peerHome(virtualNetworkId: string): { resourceGroupName: string; virtualNetworkName: string } {
  const { resourceGroupName, name } = parseArmId(virtualNetworkId);
  return { resourceGroupName, virtualNetworkName: name };
}

/**
 * One XK8treSpokeGroup per group of routing slots that has a spoke, each with its spokes in name
 * order. A group composed before is always composed again, even empty, so that no answer drops
 * it; a new one only when `mayCreate`. Returns the environments whose new group waits.
 */
export function composeSpokeGroups(
  spec: NetworkSpec,
  spokes: readonly { readonly slot: number; readonly spec: SpokeSpec; readonly paused?: boolean }[],
  observed: Observed,
  mayCreate: boolean,
  desired: DesiredResources,
): string[] {
  const waiting: string[] = [];
  const groups = new Map<number, { name: string; paused?: boolean; spec: SpokeSpec }[]>();
  for (const key of observed.names().filter(isGroupKey)) groups.set(Number(key.slice('spokes-'.length)) - 1, []);
  for (const spoke of spokes) {
    const index = groupOfSlot(spoke.slot);
    let members = groups.get(index);
    if (!members) groups.set(index, (members = []));
    members.push({ name: spokeXrName(spec.name, spoke.spec.environment), ...(spoke.paused && { paused: true }), spec: spoke.spec });
  }
  for (const [index, members] of [...groups].sort(([a], [b]) => a - b)) {
    if (!mayCreate && !observed.has(groupKey(index))) {
      waiting.push(...members.map((m) => m.spec.environment));
      continue;
    }
    const groupSpec: SpokeGroupSpec = { network: spec.name, spokes: members.sort((a, b) => (a.name < b.name ? -1 : 1)) };
    desired.set(groupKey(index), networkChildXr(spec, groupKey(index), GROUP_KIND, groupSpec));
  }
  return waiting.sort();
}
