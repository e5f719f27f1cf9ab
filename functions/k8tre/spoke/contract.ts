import { azureId, parentTagsField, providerConfigRefField } from '../lib/child-fields.js';
import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import { SUBNET_ROLES } from '../network/address-plan.js';
import { limits, patterns, PRIVATE_LINK_ZONE_KEYS } from '../network/api.js';
import { NAT_IDLE_TIMEOUT_MINUTES, OUTBOUND_TYPES } from '../network/egress.js';
import { certificateLimits } from '../network/certificates.js';

// What a network tells each of its spokes (the spec), and what a spoke tells its network (the
// status): one source for the XK8treSpoke XRD's schemas, the types the network writes and reads,
// and the reader the spoke checks its spec with.

const cidr = (description: string) => c.string(description, { pattern: patterns.cidr.pattern.source, maxLength: 18 });
const name = (description: string) => c.string(description, { maxLength: 90 });

const vnet = (description: string) =>
  c.object(description, {
    virtualNetworkId: c.optional(azureId('Its VNet ID, when it is not composed by the network.')),
    virtualNetworkRef: c.optional(c.string('The network’s VNet resource, when the network composes it.', { maxLength: 253 })),
    resourceGroupName: name('Its resource group, where peerings from its side live.'),
    virtualNetworkName: name('Its VNet name.'),
  });

export const spokeSpecContract = c.object('What the network decided for one environment’s spoke. Written by the XK8treNetwork; edits are overwritten.', {
  network: c.string('The XK8treNetwork the spoke belongs to.', { pattern: limits.xrName.pattern.source }),
  environment: c.string('The environment.', { pattern: patterns.environmentName.pattern.source }),
  region: c.string('Azure region.', { pattern: patterns.region.pattern.source }),
  resourceGroupName: name('Resource group of the spoke’s resources: the network’s.'),
  providerConfigRef: providerConfigRefField,
  tags: parentTagsField('The network’s Azure tags; the spoke adds the environment’s.'),
  addressSpace: cidr('The spoke’s address space.'),
  subnets: c.record('Subnet ranges by role.', SUBNET_ROLES, cidr('A subnet range.')),
  access: c.object('Who may reach the subnets (their NSG rules).', {
    gateway: cidr('The Application Gateway’s subnet, or the hub.'),
    management: c.array('Where Crossplane and ArgoCD run.', cidr('A range.')),
    exposed: c.boolean('Served through the public gateway.'),
  }),
  egressNextHopIp: c.optional(c.string('The hub firewall every node route goes through.', { pattern: patterns.ipv4.pattern.source })),
  egressNatGateway: c.optional(
    c.object('A NAT gateway of the spoke’s own for the node subnet’s outbound traffic.', {
      idleTimeoutInMinutes: c.integer('TCP idle timeout.', { minimum: NAT_IDLE_TIMEOUT_MINUTES.min, maximum: NAT_IDLE_TIMEOUT_MINUTES.max }),
    }),
  ),
  certificate: c.optional(
    c.object('The environment’s TLS certificate, which Key Vault issues and renews (spec.gateway.certificates.issuance KeyVault).', {
      keyVaultId: azureId('The gateway’s Key Vault.'),
      name: c.string('The certificate’s name, and the name of the secret the gateway reads.', { pattern: patterns.secretName.pattern.source }),
      issuerName: c.string('The issuer registered with the vault, or Self.', { pattern: certificateLimits.issuerName.pattern.source }),
      subject: c.string('Its subject.', { maxLength: 256 }),
      dnsNames: c.array('Its names: the environment’s public domain and its wildcard.', c.string('A name.', { maxLength: 253 }), { maxItems: 2 }),
      validityInMonths: c.integer('How long it is valid.', {
        minimum: certificateLimits.validityInMonths.min,
        maximum: certificateLimits.validityInMonths.max,
      }),
      renewDaysBeforeExpiry: c.integer('Days before expiry Key Vault renews it.', {
        minimum: certificateLimits.renewDaysBeforeExpiry.min,
        maximum: certificateLimits.renewDaysBeforeExpiry.max,
      }),
    }),
  ),
  hub: vnet('The hub, peered both ways; the environment’s zone is linked to it.'),
  management: c.optional(vnet('The network Crossplane runs in, peered both ways.')),
  managementEnvironment: c.optional(
    c.string('The environment whose spoke hosts the management cluster, peered both ways with this one.', { pattern: patterns.environmentName.pattern.source }),
  ),
  privateLinkZones: c.array(
    'The shared private-link zones the spoke resolves through, linked to its VNet.',
    c.object('A zone.', {
      purpose: c.string('Which.', { enum: PRIVATE_LINK_ZONE_KEYS }),
      name: c.string('Zone name.', { maxLength: 253 }),
      resourceGroupName: name('Its resource group.'),
    }),
  ),
  dnsZone: c.string('The environment’s private zone, linked to the hub and the spoke.', { maxLength: 253 }),
  externalNames: c.optional(
    c.map(
      'Azure names of resources a network composed before spokes were XRs of their own, by composition key, so the spoke adopts them.',
      c.string('Name.', { maxLength: 512 }),
    ),
  ),
});
export type SpokeSpec = TypeOf<typeof spokeSpecContract>;

/** What a spoke reports once Azure does: in its own status, and for each spoke in its group's. */
export const spokeStatusFields = {
  virtualNetworkId: c.optional(c.string('Spoke VNet ID.')),
  subnetIds: c.optional(c.map('Subnet IDs by role.', c.string('Azure ID.'))),
  dnsZoneId: c.optional(c.string('The environment’s private zone ID.')),
  outboundType: c.optional(
    c.string('The AKS outbound type the node subnet is ready for: its default route or NAT gateway is in Azure, as told.', { enum: OUTBOUND_TYPES }),
  ),
  certificateSecretId: c.optional(c.string('The versionless ID of the secret behind the Key Vault certificate, once issued.')),
  certificateExpires: c.optional(c.string('When the certificate’s current version expires (RFC 3339), as Key Vault says.')),
};

export const spokeStatusContract = c.object('What the spoke composed, once Azure reports it. The network reads it.', spokeStatusFields);
export type SpokeStatus = TypeOf<typeof spokeStatusContract>;
