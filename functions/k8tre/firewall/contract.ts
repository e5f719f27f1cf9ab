import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import { azureId, parentTagsField, providerConfigRefField } from '../lib/child-fields.js';
import { limits as networkLimits, patterns as networkPatterns } from '../network/api.js';
import { FIREWALL_TIERS, limits, patterns } from './api.js';

// What a network tells its hub firewall (the spec), and what the firewall tells the network (the
// status): one source for the XK8treFirewall XRD's schemas, the types the network writes and
// reads, and the reader the firewall checks its spec with.

const name = (description: string) => c.string(description, { maxLength: 80 });
const cidr = (description: string) => c.string(description, { pattern: networkPatterns.cidr.pattern.source, maxLength: 18 });

export const firewallSpecContract = c.object('What the network decided for its hub firewall. Written by the XK8treNetwork; edits are overwritten.', {
  network: c.string('The XK8treNetwork it belongs to.', { pattern: networkLimits.xrName.pattern.source }),
  region: c.string('Azure region.', { pattern: networkPatterns.region.pattern.source }),
  resourceGroupName: c.string('Resource group of the firewall resources: the network’s.', { maxLength: 90 }),
  providerConfigRef: providerConfigRefField,
  tags: parentTagsField('The network’s Azure tags.'),
  tier: c.string('Basic or Standard.', { enum: FIREWALL_TIERS }),
  names: c.object('Azure names.', {
    firewall: name('The firewall.'),
    policy: name('Its policy.'),
    publicIp: name('Its public IP.'),
    managementPublicIp: name('Its management public IP (Basic).'),
  }),
  zones: c.array('Availability zones of the firewall and its public IPs: the gateway’s.', c.string('A zone.', { enum: ['1', '2', '3'] }), { maxItems: 3 }),
  hub: c.object('The hub VNet its subnets are in.', {
    resourceGroupName: c.string('Its resource group.', { maxLength: 90 }),
    virtualNetworkName: c.string('Its name.', { maxLength: 64 }),
  }),
  subnets: c.object('The firewall’s subnets in the hub: composed here, unless the network composed AzureFirewallSubnet before.', {
    firewall: c.object('AzureFirewallSubnet.', { cidr: cidr('Its range.'), existingId: c.optional(azureId('The network’s, by ID.')) }),
    management: c.optional(c.object('AzureFirewallManagementSubnet, which Basic requires.', { cidr: cidr('Its range.') })),
  }),
  sourceAddresses: c.array('The spokes’ ranges: what the rules admit.', cidr('A range.'), { maxItems: networkLimits.environments.max + 1 }),
  allowedFqdns: c.array(
    'What K8TRE pulls, over HTTPS.',
    c.string('A host name.', { pattern: patterns.fqdn.pattern.source, maxLength: patterns.fqdn.maxLength }),
    { maxItems: limits.allowedFqdns.max },
  ),
  logAnalyticsWorkspaceId: c.optional(azureId('The network’s Log Analytics workspace, for the firewall’s logs.')),
});
export type FirewallSpec = TypeOf<typeof firewallSpecContract>;

export const firewallStatusContract = c.object('What the firewall composed, once Azure reports it. The network reads it.', {
  firewallId: c.optional(c.string('The firewall’s ID.')),
  privateIpAddress: c.optional(
    c.string('The private IP spokes route through, reported once the firewall, its policy and every rule collection group exist.', {
      pattern: networkPatterns.ipv4.pattern.source,
    }),
  ),
});
export type FirewallStatus = TypeOf<typeof firewallStatusContract>;
