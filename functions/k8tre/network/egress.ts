import { contains, formatCidr, type Cidr } from '../lib/cidr.js';
import type { DesiredResources } from '../lib/composition.js';
import type { Outcome } from '../lib/waits.js';
import { egressGates, firewallReadyGates } from './gates.js';
import { FieldError } from '../lib/field-error.js';
import { digString } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { type SpecReader, quote, stringItem } from '../lib/spec-reader.js';
import {
  DEFAULT_ALLOWED_FQDNS,
  FIREWALL_TIERS,
  KIND as FIREWALL_KIND,
  limits as firewallLimits,
  patterns as firewallPatterns,
  type FirewallTier,
} from '../firewall/api.js';
import type { FirewallSpec } from '../firewall/contract.js';
import type { SpokeSpec } from '../spoke/contract.js';
import { patterns } from './api.js';
import { azureNames, keys, networkChildXr, toldByNetwork } from './naming.js';
import type { HubSpec, NetworkSpec } from './spec.js';
import type { NetworkStatus } from './status.js';
import { hubSubnets } from './hub.js';

// Where spoke nodes' outbound traffic leaves (spec.egress), in one of three ways:
//   firewall    an Azure Firewall this network composes in its created hub (an XK8treFirewall);
//   nextHopIp   a firewall or appliance of the organisation's, at that IP;
//   natGateway  a NAT gateway per spoke, for teams without a firewall.
// The first two put a 0.0.0.0/0 route on each node subnet and make clusters userDefinedRouting;
// the third associates the node subnet with its NAT gateway and makes them userAssignedNATGateway.
// Either way the cluster is told its outbound type only once its spoke reports the path in place
// (status.environments[].outboundType), so AKS is never created, or switched, before it can
// reach what its nodes need (https://learn.microsoft.com/azure/aks/egress-outboundtype).

export type EgressSpec =
  | { readonly mode: 'nextHopIp'; readonly nextHopIp: string }
  | { readonly mode: 'firewall'; readonly tier: FirewallTier; readonly allowedFqdns: readonly string[] }
  | { readonly mode: 'natGateway'; readonly idleTimeoutInMinutes: number };

export const OUTBOUND_TYPES = ['userDefinedRouting', 'userAssignedNATGateway'] as const;
export type OutboundType = (typeof OUTBOUND_TYPES)[number];

/** Azure's range for a NAT gateway's TCP idle timeout (https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource#tcp-idle-timeout). */
export const NAT_IDLE_TIMEOUT_MINUTES = { min: 4, max: 120 } as const;

const MODES = ['nextHopIp', 'firewall', 'natGateway'] as const;

export function parseEgress(spec: SpecReader, hubMode: HubSpec['mode']): { egress?: EgressSpec } {
  const egress = spec.object('egress');
  if (!egress) return {};
  const given = MODES.filter((mode) => egress.has(mode));
  if (given.length !== 1) {
    throw new FieldError(egress.path, `sets ${given.length === 0 ? 'none' : given.join(' and ')} of ${MODES.join(', ')}; set exactly one`);
  }
  if (egress.has('nextHopIp')) return { egress: { mode: 'nextHopIp', nextHopIp: egress.requiredString('nextHopIp', patterns.ipv4) } };
  const natGateway = egress.object('natGateway');
  if (natGateway) {
    return {
      egress: { mode: 'natGateway', idleTimeoutInMinutes: natGateway.integer('idleTimeoutInMinutes', NAT_IDLE_TIMEOUT_MINUTES, NAT_IDLE_TIMEOUT_MINUTES.min) },
    };
  }
  const firewall = egress.requiredObject('firewall');
  if (hubMode !== 'create') {
    throw new FieldError(
      firewall.path,
      'needs a hub this XR creates, to put the firewall in its AzureFirewallSubnet; with an existing hub, give its firewall’s private IP as spec.egress.nextHopIp',
    );
  }
  return {
    egress: {
      mode: 'firewall',
      tier: firewall.oneOf('tier', FIREWALL_TIERS, 'Standard'),
      allowedFqdns: firewall.list('allowedFqdns', firewallLimits.allowedFqdns, stringItem(firewallPatterns.fqdn)) ?? [...DEFAULT_ALLOWED_FQDNS],
    },
  };
}

/** The AKS outbound type the network's egress asks of its clusters. */
export function outboundTypeOf(egress: EgressSpec | undefined): OutboundType | undefined {
  if (!egress) return undefined;
  return egress.mode === 'natGateway' ? 'userAssignedNATGateway' : 'userDefinedRouting';
}

/**
 * Composes the network's XK8treFirewall once the hub VNet is ready (and an AzureFirewallSubnet the
 * network composed has its ID), and says what EgressReady waits for; none without a firewall. Taking away a
 * firewall this network composed is refused: it would delete the one control on what leaves the
 * spokes, and Azure cannot change a live firewall's tier to or from Basic.
 */
export function composeFirewall(
  spec: NetworkSpec,
  sourceAddresses: readonly string[],
  logAnalyticsWorkspaceId: string | undefined,
  observed: Observed,
  desired: DesiredResources,
): Outcome<{ firewall: boolean }> {
  const egress = spec.egress;
  const composed = observed.get(keys.firewall);
  if (egress?.mode !== 'firewall') {
    if (composed) {
      throw new FieldError(
        'spec.egress.firewall',
        "is gone, but this network's firewall exists: dropping it deletes the firewall the spokes' nodes send everything through, opening their egress. Keep it",
      );
    }
    return { firewall: false, waits: [] };
  }
  const tierInForce = digString(composed, 'spec', 'tier');
  if (tierInForce && tierInForce !== egress.tier) {
    // azurerm: a policy's sku and a firewall's management_ip_configuration force new ones.
    throw new FieldError(
      'spec.egress.firewall.tier',
      `is ${quote(egress.tier)}, but the firewall was created ${quote(tierInForce)}: Azure changes neither a firewall policy's tier nor Basic's management IP configuration in place, so both would be deleted and created again while every spoke routes through them. Keep ${quote(tierInForce)}`,
    );
  }
  if (spec.hub.mode !== 'create') throw new Error('internal: a firewall needs a created hub (parseEgress)');
  const layout = hubSubnets(spec.hub.addressSpace);
  const ownSubnet = networkOwnsFirewallSubnet(spec, observed);
  // A subnet the network composed is the firewall's by ID; a reconcile that does not see the ID keeps what the firewall was told.
  const existingId = ownSubnet
    ? (observed.atProvider(keys.hubSubnet('firewall'), 'id') ?? digString(composed, 'spec', 'subnets', 'firewall', 'existingId'))
    : undefined;
  if (!composed && (!observed.isReady(keys.hubVnet) || (ownSubnet && !existingId))) {
    return { firewall: true, waits: [egressGates.hubForFirewall(ownSubnet)] };
  }
  const firewallSpec: FirewallSpec = {
    tier: egress.tier,
    ...toldByNetwork(spec),
    names: {
      firewall: azureNames.firewall(spec),
      policy: azureNames.firewallPolicy(spec),
      publicIp: azureNames.firewallPublicIp(spec),
      managementPublicIp: azureNames.firewallManagementPublicIp(spec),
    },
    zones: [...spec.gateway.zones],
    hub: { resourceGroupName: spec.resourceGroupName, virtualNetworkName: azureNames.hubVnet(spec) },
    subnets: {
      firewall: { cidr: formatCidr(layout.firewall), ...(existingId && { existingId }) },
      ...(egress.tier === 'Basic' && { management: { cidr: formatCidr(layout.firewallManagement) } }),
    },
    sourceAddresses: [...sourceAddresses],
    allowedFqdns: [...egress.allowedFqdns],
    ...(logAnalyticsWorkspaceId && { logAnalyticsWorkspaceId }),
  };
  desired.set(keys.firewall, networkChildXr(spec, keys.firewall, FIREWALL_KIND, firewallSpec));
  const ip = firewallIp(observed);
  return { firewall: true, waits: ip ? [] : [firewallReadyGates.firewall()] };
}

/** What the network's status says of its egress (status.egress), for people and the plan's picture. */
export function egressStatus(spec: NetworkSpec, observed: Observed): NetworkStatus['egress'] {
  const egress = spec.egress;
  if (!egress) return undefined;
  if (egress.mode === 'nextHopIp') return { via: 'nextHopIp', nextHopIp: egress.nextHopIp };
  if (egress.mode === 'natGateway') return { via: 'natGateway' };
  const firewall = observed.get(keys.firewall);
  const id = digString(firewall, 'status', 'firewallId');
  const ip = firewallIp(observed);
  return {
    via: 'firewall',
    firewall: {
      tier: egress.tier,
      subnet: spec.hub.mode === 'create' ? formatCidr(hubSubnets(spec.hub.addressSpace).firewall) : '',
      ...(id && { id }),
      ...(ip && { privateIpAddress: ip }),
    },
  };
}

/**
 * The network composes AzureFirewallSubnet when asked (hub.firewallSubnet) without a composed
 * firewall, or once it has: a composed firewall brings its own, keeping the network within the
 * tree's bound (spoke/tree.ts).
 */
export function networkOwnsFirewallSubnet(spec: NetworkSpec, observed: Observed): boolean {
  if (spec.hub.mode !== 'create') return false;
  return observed.has(keys.hubSubnet('firewall')) || (spec.hub.firewallSubnet && spec.egress?.mode !== 'firewall');
}

function firewallIp(observed: Observed): string | undefined {
  return digString(observed.get(keys.firewall), 'status', 'privateIpAddress');
}

/**
 * The ranges the firewall's rules admit: the spoke pool, and every environment given a range of
 * its own outside it. A new environment from the pool changes no rule.
 */
export function spokeSources(spec: NetworkSpec): string[] {
  const pool = spec.addressPool?.cidr;
  const ranges: Cidr[] = [...(pool ? [pool] : [])];
  for (const env of spec.environments) {
    if (env.addressSpace && !(pool && contains(pool, env.addressSpace))) ranges.push(env.addressSpace);
  }
  return [...new Set(ranges.map(formatCidr))];
}

/**
 * What a spoke is told of its egress. A firewall's IP is told once the firewall reports it
 * (ready to pass a node's traffic), and then kept, whatever a reconcile sees, as long as the
 * network routes through a firewall.
 */
export function spokeEgress(spec: NetworkSpec, observed: Observed, toldBefore: SpokeSpec | undefined): Pick<SpokeSpec, 'egressNextHopIp' | 'egressNatGateway'> {
  const egress = spec.egress;
  if (!egress) return {};
  if (egress.mode === 'nextHopIp') return { egressNextHopIp: egress.nextHopIp };
  if (egress.mode === 'natGateway') return { egressNatGateway: { idleTimeoutInMinutes: egress.idleTimeoutInMinutes } };
  const ip = firewallIp(observed) ?? toldBefore?.egressNextHopIp;
  return ip ? { egressNextHopIp: ip } : {};
}
