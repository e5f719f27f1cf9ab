import type { SecurityGroupSpecForProviderSecurityRule } from '../../../imports/network.azure.m.upbound.io.js';
import { formatCidr } from '../lib/cidr.js';
import type { SpokePlan, SubnetRole } from './address-plan.js';

// The spoke NSGs' rules. Azure's defaults allow all traffic from the VNet tag (AllowVnetInBound,
// priority 65000), which takes in every peered network and, once a route sends 0.0.0.0/0 to a
// firewall, every address; an allow rule above it admits nothing it would not admit anyway. So
// each subnet whose traffic is known ends with an explicit deny, and its allows mean something.
// https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules
//
// The node subnet has no deny-all: AKS needs node-to-node, API server-to-kubelet and webhook
// traffic on ports it chooses. What it gets is the deny that keeps the cluster gateway's internal
// load balancer, whose frontends sit in the ingress subnet, to the sources that should reach it:
// Azure delivers load-balanced traffic to the nodes' NICs with the frontend as destination (AKS
// load-balancer rules use floating IP), so that is where the rule applies.

type Rule = SecurityGroupSpecForProviderSecurityRule;

/** Who may reach what, by address range. */
export interface RuleSources {
  /** The Application Gateway's subnet, or the hub when it is not this XR's. */
  readonly gateway: string;
  /** Where Crossplane's providers and ArgoCD run: the hub, a management network, management spokes; maybe none. */
  readonly management: readonly string[];
  /** Whether the environment is served through the public gateway, or only from management networks. */
  readonly exposed: boolean;
}

const DENY_PRIORITY = 4096;

const inbound = (rule: Omit<Rule, 'direction' | 'sourcePortRange'>, source?: Pick<Rule, 'sourceAddressPrefix' | 'sourceAddressPrefixes'>): Rule => ({
  direction: 'Inbound',
  sourcePortRange: '*',
  ...rule,
  ...source,
});
const from = (prefixes: readonly string[]) => (prefixes.length === 1 ? { sourceAddressPrefix: prefixes[0] } : { sourceAddressPrefixes: [...prefixes] });
const ports = (list: readonly string[]) => (list.length === 1 ? { destinationPortRange: list[0] } : { destinationPortRanges: [...list] });

const denyAllInbound = inbound({
  name: 'deny-all-inbound',
  description: 'Nothing else: Azure’s AllowVnetInBound would otherwise admit every peered network',
  priority: DENY_PRIORITY,
  access: 'Deny',
  protocol: '*',
  sourceAddressPrefix: '*',
  destinationAddressPrefix: '*',
  destinationPortRange: '*',
});

/** The cluster gateway's load balancer answers the public gateway, or for an internal environment its management networks. */
function ingressAllow(plan: SpokePlan, sources: RuleSources): Rule[] {
  if (!sources.exposed && sources.management.length === 0) return [];
  return [
    inbound({
      name: sources.exposed ? 'allow-gateway-to-ingress' : 'allow-management-to-ingress',
      description: sources.exposed
        ? 'The hub Application Gateway reaches the cluster gateway load balancer'
        : 'Management networks reach the internal environment’s cluster gateway',
      priority: 100,
      access: 'Allow',
      protocol: 'Tcp',
      ...from(sources.exposed ? [sources.gateway] : sources.management),
      destinationAddressPrefix: formatCidr(plan.subnets.ingress),
      ...ports(['443', '80']),
    }),
  ];
}

/** An allow from the management networks, when there are any: a rule needs a source. */
function fromManagement(sources: RuleSources, rule: Omit<Rule, 'direction' | 'sourcePortRange'>): Rule[] {
  return sources.management.length === 0 ? [] : [inbound(rule, from(sources.management))];
}

export function securityRules(role: SubnetRole, plan: SpokePlan, sources: RuleSources): Rule[] {
  const subnet = (which: SubnetRole) => formatCidr(plan.subnets[which]);
  switch (role) {
    case 'nodes':
      return [
        ...ingressAllow(plan, sources),
        inbound({
          name: 'deny-vnet-to-ingress',
          description: 'No other network reaches the cluster gateway load balancer',
          priority: DENY_PRIORITY,
          access: 'Deny',
          protocol: '*',
          sourceAddressPrefix: 'VirtualNetwork',
          destinationAddressPrefix: subnet('ingress'),
          destinationPortRange: '*',
        }),
      ];
    case 'ingress':
      return [
        ...ingressAllow(plan, sources),
        inbound({
          name: 'allow-azure-load-balancer',
          description: 'Azure Load Balancer health probes',
          priority: 110,
          access: 'Allow',
          protocol: '*',
          sourceAddressPrefix: 'AzureLoadBalancer',
          destinationAddressPrefix: subnet('ingress'),
          destinationPortRange: '*',
        }),
        denyAllInbound,
      ];
    case 'apiServer':
      // The rules AKS documents for API Server VNet Integration, then the management networks.
      // https://learn.microsoft.com/azure/aks/api-server-vnet-integration#network-security-group-nsg-security-rules
      return [
        inbound({
          name: 'allow-nodes-to-apiserver',
          description: 'Cluster nodes reach the VNet-integrated API server (AKS: TCP 443 and 4443)',
          priority: 100,
          access: 'Allow',
          protocol: 'Tcp',
          sourceAddressPrefix: subnet('nodes'),
          destinationAddressPrefix: subnet('apiServer'),
          destinationPortRanges: ['443', '4443'],
        }),
        inbound({
          name: 'allow-azure-load-balancer',
          description: 'Azure Load Balancer reaches the API server (AKS: TCP 9988)',
          priority: 110,
          access: 'Allow',
          protocol: 'Tcp',
          sourceAddressPrefix: 'AzureLoadBalancer',
          destinationAddressPrefix: subnet('apiServer'),
          destinationPortRange: '9988',
        }),
        ...fromManagement(sources, {
          name: 'allow-management-to-apiserver',
          description: 'Crossplane’s providers and ArgoCD reach the private API server',
          priority: 120,
          access: 'Allow',
          protocol: 'Tcp',
          destinationAddressPrefix: subnet('apiServer'),
          destinationPortRange: '443',
        }),
        denyAllInbound,
      ];
    case 'privateEndpoints':
      return [
        inbound({
          name: 'allow-nodes-to-endpoints',
          description: 'Cluster workloads reach Key Vault and storage (HTTPS, and SMB for Azure Files)',
          priority: 100,
          access: 'Allow',
          protocol: 'Tcp',
          sourceAddressPrefix: subnet('nodes'),
          destinationAddressPrefix: subnet('privateEndpoints'),
          destinationPortRanges: ['443', '445'],
        }),
        ...fromManagement(sources, {
          name: 'allow-management-to-endpoints',
          description: 'Crossplane’s provider reads the data stores it manages through their endpoints',
          priority: 110,
          access: 'Allow',
          protocol: 'Tcp',
          destinationAddressPrefix: subnet('privateEndpoints'),
          destinationPortRange: '443',
        }),
        denyAllInbound,
      ];
  }
}
