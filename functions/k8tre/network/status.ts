import { formatCidr } from '../lib/cidr.js';
import { compact } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { SUBNET_ROLES, type SpokePlan, type SubnetRole } from './address-plan.js';
import { environmentZoneKey, sharedZoneId, sharedZones } from './dns.js';
import { environmentDomains } from './domains.js';
import type { GatewayListener } from './gateway.js';
import { hubSubnets } from './hub.js';
import { keys, spokeSubnetName } from './naming.js';
import type { RoutingPriorities } from './priorities.js';
import type { NetworkSpec } from './spec.js';

// The XR's status contract. CIDRs and priorities are always present (they are decided by the
// function); Azure IDs appear once the providers report them. XK8treCluster reads this.

export interface SubnetStatus {
  name: string;
  cidr: string;
  id?: string;
}

export interface EnvironmentStatus {
  name: string;
  addressSpace: string;
  virtualNetworkId?: string;
  publicDomain: string;
  internalDomain: string;
  dnsZone: { name: string; id?: string };
  routingPriority: number;
  routingSlot: number;
  subnets: Record<SubnetRole, SubnetStatus>;
}

export interface NetworkStatus {
  resourceGroupName: string;
  hub: { virtualNetworkId?: string; addressSpace: string; applicationGatewaySubnet: { cidr?: string; id?: string } };
  /** The network Crossplane and ArgoCD run in, when it is not the hub. */
  management?: { virtualNetworkId: string; addressSpace: string };
  environments: EnvironmentStatus[];
  privateDnsZones: { purpose: string; name: string; id?: string }[];
  gateway: {
    id?: string;
    publicIpAddress?: string;
    publicIpId?: string;
    identityClientId?: string;
    wafPolicyId?: string;
    listeners: { environment: string; hosts: string[]; backend: string; priority: number }[];
  };
}

export function networkStatus(
  spec: NetworkSpec,
  plan: ReadonlyMap<string, SpokePlan>,
  priorities: ReadonlyMap<string, RoutingPriorities>,
  listeners: readonly GatewayListener[],
  observed: Observed,
): NetworkStatus {
  const id = (key: string) => observed.atProvider(key, 'id');
  const hub = spec.hub;

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
      const domains = environmentDomains(spec, env);
      const subnets = Object.fromEntries(
        SUBNET_ROLES.map((role) => [role, { name: spokeSubnetName[role], cidr: formatCidr(spoke.subnets[role]), id: id(keys.spokeSubnet(env.name, role)) }]),
      ) as Record<SubnetRole, SubnetStatus>;
      return {
        name: env.name,
        addressSpace: formatCidr(spoke.addressSpace),
        virtualNetworkId: id(keys.spokeVnet(env.name)),
        publicDomain: domains.public,
        internalDomain: domains.internal,
        dnsZone: { name: domains.internal, id: id(keys.dnsZone(environmentZoneKey(env.name))) },
        routingPriority: priorities.get(env.name)?.https ?? 0,
        routingSlot: priorities.get(env.name)?.slot ?? 0,
        subnets,
      };
    }),
    privateDnsZones: sharedZones(spec.region).map((zone) => ({ purpose: zone.key, name: zone.name, id: sharedZoneId(spec, zone.key, id) })),
    gateway: {
      id: id(keys.gateway),
      publicIpAddress: observed.atProvider(keys.gatewayPublicIp, 'ipAddress'),
      publicIpId: id(keys.gatewayPublicIp),
      identityClientId: observed.atProvider(keys.gatewayIdentity, 'clientId'),
      wafPolicyId: spec.gateway.firewallPolicyId ?? observed.atProvider(keys.gatewayWafPolicy, 'id'),
      listeners: listeners.map((l) => ({ environment: l.environment, hosts: [...l.hosts], backend: l.backend, priority: l.priority })),
    },
  });
}
