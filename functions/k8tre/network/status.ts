import { formatCidr } from '../lib/cidr.js';
import { compact } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import { SUBNET_ROLES, type SpokePlan } from './address-plan.js';
import { environmentZoneKey, sharedZoneId, sharedZones } from './dns.js';
import type { GatewayListener } from './gateway.js';
import { hubSubnets } from './hub.js';
import { azureNames, keys, spokeSubnetName } from './naming.js';
import type { GatewayPlacement } from './gateway-placement.js';
import type { SpokeStatus } from '../spoke/contract.js';
import type { RoutingPriorities } from './priorities.js';
import type { NetworkSpec } from './spec.js';
import { egressStatus, OUTBOUND_TYPES, outboundTypeOf } from './egress.js';
import { monitoringStatusContract, type MonitoringStatus } from '../monitoring/contract.js';

// The XR's status contract: one source for the XRD's status schema and the type the function
// writes and XK8treCluster reads. CIDRs and priorities are always present (the function decides
// them); Azure IDs appear once the providers report them.

const subnetStatus = c.object('A subnet.', { name: c.string('Subnet name.'), cidr: c.string('Address range.'), id: c.optional(c.string('Azure ID.')) });
export type SubnetStatus = TypeOf<typeof subnetStatus>;

const environmentStatus = c.object('An environment.', {
  name: c.string('Environment name.'),
  addressSpace: c.string('Spoke address space.'),
  virtualNetworkId: c.optional(c.string('Spoke VNet ID.')),
  publicDomain: c.string('Public domain; the gateway listener host.'),
  internalDomain: c.string('Private zone name; the gateway backend domain.'),
  dnsZone: c.object('Private DNS zone.', { name: c.string('Zone name.'), id: c.optional(c.string('Azure ID.')) }),
  routingPriority: c.integer('Priority of the HTTPS routing rule. The apex environment ranks after all others.'),
  routingSlot: c.integer('The environment’s slot, kept for good: it orders its rules and gives its cluster’s Cilium ID.'),
  subnets: c.record('Spoke subnets.', SUBNET_ROLES, subnetStatus),
  adopted: c.optional(
    c.map(
      'Azure names of the resources an earlier version of the network composed for this environment, which its spoke adopted, by the spoke’s composition key.',
      c.string('Azure name or ID.'),
    ),
  ),
  outboundType: c.optional(
    c.string(
      'The AKS outbound type the network’s egress asks of the environment’s cluster, reported once the spoke’s path is in place (its node route or NAT gateway, and the firewall it routes through): the cluster waits for it. Absent without spec.egress.',
      { enum: OUTBOUND_TYPES },
    ),
  ),
  certificate: c.optional(
    c.object('The TLS certificate the gateway serves the environment with, when it is exposed (spec.gateway.certificates).', {
      name: c.string('Its name in the vault: the secret the gateway reads.'),
      secretId: c.optional(c.string('The versionless secret ID the gateway serves; with issuance KeyVault, once Key Vault has issued it.')),
      expires: c.optional(c.string('When its current version expires, as Key Vault says (issuance KeyVault).')),
    }),
  ),
  gateway: c.optional(
    c.object('The Application Gateway that serves the environment, when it is exposed; it never changes. Public DNS records point at its IP.', {
      index: c.integer('Which gateway: 0 is the first.'),
      name: c.string('Gateway name.'),
      publicIpAddress: c.optional(c.string('Its public IP address.')),
    }),
  ),
});
export type EnvironmentStatus = TypeOf<typeof environmentStatus>;

export const networkStatusContract = c.object(
  'What the network composed. CIDRs and priorities are decided by the function and kept; IDs appear once Azure reports them.',
  {
    resourceGroupName: c.string('Resource group of the network resources.'),
    hub: c.object('The hub.', {
      virtualNetworkId: c.optional(c.string('Hub VNet ID.')),
      addressSpace: c.string('Hub address space.'),
      applicationGatewaySubnet: c.object('The gateway subnet.', { cidr: c.optional(c.string('Address range.')), id: c.optional(c.string('Azure ID.')) }),
    }),
    management: c.optional(
      c.object('The network Crossplane and ArgoCD run in, when not the hub.', {
        virtualNetworkId: c.string('Its VNet ID.'),
        addressSpace: c.string('Its address space.'),
      }),
    ),
    environments: c.listMap('One entry per environment.', 'name', environmentStatus),
    egress: c.optional(
      c.object('Where spoke nodes’ traffic leaves (spec.egress).', {
        via: c.string('firewall (composed in the hub), nextHopIp or natGateway.', { enum: ['firewall', 'nextHopIp', 'natGateway'] }),
        firewall: c.optional(
          c.object('The composed firewall.', {
            tier: c.string('Basic or Standard.'),
            subnet: c.string('Its AzureFirewallSubnet’s range.'),
            id: c.optional(c.string('Azure ID.')),
            privateIpAddress: c.optional(c.string('The next hop of every node route, once the firewall and its rules exist.')),
          }),
        ),
        nextHopIp: c.optional(c.string('The next hop of every node route.')),
      }),
    ),
    monitoring: c.optional(monitoringStatusContract),
    privateDnsZones: c.array(
      'Shared private-link zones.',
      c.object('A zone.', {
        purpose: c.string('aks, blob, file, queue, table, dfs or vault.'),
        name: c.string('Zone name.'),
        id: c.optional(c.string('Azure ID.')),
      }),
    ),
    gateways: c.listMap(
      'Every Application Gateway: a new one is added when the others serve as many environments as a gateway can.',
      'name',
      c.object('A gateway.', {
        name: c.string('Gateway name.'),
        index: c.integer('Its index: 0 is the first.'),
        id: c.optional(c.string('Azure ID.')),
        publicIpAddress: c.optional(c.string('Public IP address.')),
        publicIpId: c.optional(c.string('Public IP Azure ID.')),
        environments: c.array('The environments it serves.', c.string('Environment.')),
      }),
    ),
    gateway: c.object('The first Application Gateway, and what all gateways share.', {
      id: c.optional(c.string('Azure ID.')),
      publicIpAddress: c.optional(c.string('Public IP address.')),
      publicIpId: c.optional(c.string('Public IP Azure ID.')),
      identityClientId: c.optional(c.string('Client ID of the gateway identity.')),
      wafPolicyId: c.optional(c.string('ID of the WAF policy the gateway uses.')),
      listeners: c.array(
        'Listener hosts and backends per environment.',
        c.object('A listener set.', {
          environment: c.string('Environment.'),
          gateway: c.string('The gateway it is on.'),
          hosts: c.array('Host names.', c.string('Host name.')),
          backend: c.string('Backend FQDN.'),
          priority: c.integer('Routing priority.'),
        }),
      ),
    }),
  },
);
export type NetworkStatus = TypeOf<typeof networkStatusContract>;

export function networkStatus(
  spec: NetworkSpec,
  plan: ReadonlyMap<string, SpokePlan>,
  priorities: ReadonlyMap<string, RoutingPriorities>,
  onGateways: GatewayPlacement,
  listeners: readonly GatewayListener[],
  observed: Observed,
  spokes: ReadonlyMap<string, SpokeStatus>,
  adopted: ReadonlyMap<string, Record<string, string>>,
  monitoring: MonitoringStatus | undefined,
): NetworkStatus {
  const id = (key: string) => observed.atProvider(key, 'id');
  // A spoke's IDs as its group reports them; a network made before spokes were XRs has them itself until they move.
  const reported = (env: string): SpokeStatus => spokes.get(env) ?? {};
  const hub = spec.hub;
  const outboundType = outboundTypeOf(spec.egress);
  const gateways = Array.from({ length: onGateways.count }, (_, index) => ({
    name: azureNames.gateway(spec, index),
    index,
    id: id(keys.gateway(index)),
    publicIpAddress: observed.atProvider(keys.gatewayPublicIp(index), 'ipAddress'),
    publicIpId: id(keys.gatewayPublicIp(index)),
    environments: listeners.filter((l) => l.gateway === index).map((l) => l.environment),
  }));
  const gatewayOf = (env: string) => {
    const index = onGateways.byEnvironment.get(env);
    const gateway = index === undefined ? undefined : gateways[index];
    return gateway && { index: gateway.index, name: gateway.name, publicIpAddress: gateway.publicIpAddress };
  };

  const listenerOf = new Map(listeners.map((l) => [l.environment, l] as const));
  const certificateOf = (env: string, name: string) => {
    const listener = listenerOf.get(env);
    return listener && { name, secretId: listener.certificateSecretId, expires: reported(env).certificateExpires };
  };

  return compact({
    resourceGroupName: spec.resourceGroupName,
    hub:
      hub.mode === 'existing'
        ? {
            virtualNetworkId: hub.virtualNetworkId,
            addressSpace: formatCidr(hub.addressSpace),
            applicationGatewaySubnet: { id: hub.applicationGatewaySubnetId },
          }
        : {
            virtualNetworkId: id(keys.hubVnet),
            addressSpace: formatCidr(hub.addressSpace),
            applicationGatewaySubnet: { cidr: formatCidr(hubSubnets(hub.addressSpace).applicationGateway), id: id(keys.hubSubnet('applicationGateway')) },
          },
    ...(spec.management && {
      management: { virtualNetworkId: spec.management.virtualNetworkId, addressSpace: formatCidr(spec.management.addressSpace) },
    }),
    environments: spec.environments.map((env) => {
      const spoke = plan.get(env.name);
      if (!spoke) throw new Error(`internal: no address plan for ${env.name}`);
      const domains = env.domains;
      const subnets = Object.fromEntries(
        SUBNET_ROLES.map((role) => [
          role,
          {
            name: spokeSubnetName[role],
            cidr: formatCidr(spoke.subnets[role]),
            id: reported(env.name).subnetIds?.[role] ?? id(keys.spokeSubnet(env.name, role)),
          },
        ]),
      ) as EnvironmentStatus['subnets'];
      return {
        name: env.name,
        addressSpace: formatCidr(spoke.addressSpace),
        virtualNetworkId: reported(env.name).virtualNetworkId ?? id(keys.spokeVnet(env.name)),
        publicDomain: domains.public,
        internalDomain: domains.internal,
        dnsZone: { name: domains.internal, id: reported(env.name).dnsZoneId ?? id(keys.dnsZone(environmentZoneKey(env.name))) },
        routingPriority: priorities.get(env.name)?.https ?? 0,
        routingSlot: priorities.get(env.name)?.slot ?? 0,
        subnets,
        adopted: adopted.get(env.name),
        ...(outboundType && reported(env.name).outboundType === outboundType && { outboundType }),
        certificate: certificateOf(env.name, env.certificateSecretName),
        gateway: gatewayOf(env.name),
      };
    }),
    egress: egressStatus(spec, observed),
    monitoring,
    privateDnsZones: sharedZones(spec.region).map((zone) => ({ purpose: zone.key, name: zone.name, id: sharedZoneId(spec, zone.key, id) })),
    gateways,
    gateway: {
      id: gateways[0]?.id,
      publicIpAddress: gateways[0]?.publicIpAddress,
      publicIpId: gateways[0]?.publicIpId,
      identityClientId: observed.atProvider(keys.gatewayIdentity, 'clientId'),
      wafPolicyId: spec.gateway.firewallPolicyId ?? observed.atProvider(keys.gatewayWafPolicy, 'id'),
      listeners: listeners
        .filter((l) => l.certificateSecretId)
        .map((l) => ({
          environment: l.environment,
          gateway: azureNames.gateway(spec, l.gateway),
          hosts: [...l.hosts],
          backend: l.backend,
          priority: l.priority,
        })),
    },
  });
}
