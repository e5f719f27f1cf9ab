import { DEFAULT_PROVIDER_CONFIG, PROVIDER_CONFIG_KINDS, TAG_LIMITS } from '../lib/xr-basics.js';

// The XK8treNetwork API's constants: one source for the XRD schema (apis/network) and the
// function's own checks, so the two cannot drift apart. Patterns are RE2-compatible (no
// look-around), because the API server evaluates XRD patterns with Go's regexp.

export const GROUP = 'azure.k8tre.io';
export const VERSION = 'v1alpha1';
/** Every XR of this package, those people write and those other XRs compose. */
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'XK8treNetwork';

/**
 * The start of every Azure resource ID this package reads: a subscription GUID and a resource group
 * name (1 to 90 letters, digits, `-_.()`, not ending in a period;
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
 */
const ARM_PREFIX = String.raw`^/subscriptions/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/resourceGroups/[-\w.()]{0,89}[-\w()]`;
/** An Azure resource ID of the given provider type, such as Microsoft.Network/virtualNetworks. */
export const armId = (type: string, name = '[^/]+') => new RegExp(`${ARM_PREFIX}/providers/${type.replace(/\./g, '\\.')}/${name}$`, 'i');

export const patterns = {
  region: { pattern: /^[a-z][a-z0-9]{2,30}$/, describe: 'an Azure region name such as uksouth' },
  environmentName: {
    pattern: /^[a-z][a-z0-9]{0,11}$/,
    describe: 'an environment name: a lowercase letter, then up to 11 lowercase letters or digits',
  },
  dnsName: {
    pattern: /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/,
    describe: 'a lowercase DNS name such as example.org',
    maxLength: 200,
  },
  dnsLabel: { pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, describe: 'a lowercase DNS label such as jupyter' },
  urlPath: { pattern: /^\/[A-Za-z0-9._~/-]*$/, describe: 'a URL path such as /hub/oauth_callback' },
  resourceGroupName: {
    pattern: /^[A-Za-z0-9][-A-Za-z0-9_.()]{0,88}[-A-Za-z0-9_()]$/,
    describe: 'an Azure resource group name',
  },
  virtualNetworkId: {
    pattern: armId('Microsoft.Network/virtualNetworks'),
    describe: 'an Azure virtual network ID (/subscriptions/.../virtualNetworks/NAME)',
  },
  subnetId: {
    pattern: armId('Microsoft.Network/virtualNetworks', '[^/]+/subnets/[^/]+'),
    describe: 'an Azure subnet ID (/subscriptions/.../virtualNetworks/NAME/subnets/NAME)',
  },
  keyVaultId: {
    pattern: armId('Microsoft.KeyVault/vaults', '[A-Za-z0-9-]{3,24}'),
    describe: 'an Azure Key Vault ID (/subscriptions/.../providers/Microsoft.KeyVault/vaults/NAME)',
  },
  wafPolicyId: {
    pattern: armId('Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies'),
    describe: 'an Azure WAF policy ID (/subscriptions/.../ApplicationGatewayWebApplicationFirewallPolicies/NAME)',
  },
  privateDnsZoneId: {
    pattern: armId('Microsoft.Network/privateDnsZones'),
    describe: 'an Azure private DNS zone ID (/subscriptions/.../providers/Microsoft.Network/privateDnsZones/NAME)',
  },
  secretName: { pattern: /^[0-9A-Za-z-]{1,127}$/, describe: 'a Key Vault secret name' },
  ipv4: {
    pattern: /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/,
    describe: 'an IPv4 address',
  },
  cidr: {
    pattern: /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\/([0-9]|[12][0-9]|3[0-2])$/,
    describe: 'an IPv4 CIDR such as 10.0.0.0/16',
  },
} as const;

/** Listeners, certificates and backend pools an Application Gateway holds (see limits.gateway). */
const GATEWAY_LISTENERS = 100;
/** Zone-redundant Application Gateway v2 needs at least two instances
 * (https://learn.microsoft.com/azure/reliability/reliability-application-gateway-v2). */
const ZONE_REDUNDANT_MIN_CAPACITY = 2;

export const limits = {
  /**
   * The tree keeps every XR small (spoke/tree.ts): 275 environments make 11 spoke groups and 3
   * gateways, and with the hub, its zones and the monitoring a network of 47 composed resources;
   * a hub firewall (an XK8treFirewall, which composes its own subnets) makes 48, leaving room for
   * one more child XR within the bound of 49 (300 made 49 before the monitoring, and 50 with it). The network's own answer grows by about 8.6 KB per exposed environment (its
   * spoke's spec, its share of a gateway with rewrites, its status), so 275 exposed, with an
   * internal domain and a management network, stay well under Crossplane's 4 MiB (300 came to 2.5
   * MiB; test/function/response-size.test.ts).
   */
  environments: { min: 1, max: 275 },
  /**
   * A management environment is peered with every other spoke, both ways. One keeps the largest
   * network's answer under Crossplane's 4 MiB (3.74 MiB with it and a management network, at 100
   * environments; test/function/response-size.test.ts).
   */
  managementEnvironments: { max: 1 },
  /**
   * An Application Gateway routes through at most 100 active listeners and holds at most 100
   * SSL certificates, backend pools and redirect configurations (with the Default Rule Set or CRS 3.2;
   * https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#application-gateway-limits).
   * Each gateway has one HTTP listener that redirects every host, and each exposed environment one
   * HTTPS listener (network/gateway-placement.ts). More environments get more gateways, up to `max`.
   */
  gateway: { listeners: GATEWAY_LISTENERS, environmentsEach: GATEWAY_LISTENERS - 1, max: 20 },
  /** A created hub needs room for a /24 gateway subnet and, in the next /24, the /26 subnets (network/hub.ts). */
  createdHubPrefix: { min: 8, max: 23 },
  existingHubPrefix: { min: 8, max: 29 },
  poolPrefix: { min: 8, max: 24 },
  /** Every spoke subnet layout fits from /16 (65,536 addresses) down to /24 (256). */
  spokePrefix: { min: 16, max: 24 },
  gatewayCapacity: { min: 0, max: 125 },
  rewriteServices: { min: 0, max: 20 },
  tags: TAG_LIMITS,
  xrName: { pattern: /^[a-z0-9]([-a-z0-9]{0,22}[a-z0-9])?$/, describe: 'at most 24 lowercase letters, digits or hyphens' },
} as const;

/**
 * The private-link zones private endpoints and private AKS API servers register in, by purpose:
 * one source for the zones the network creates, the landing-zone zones it may take instead, and
 * the zone IDs a cluster reads from the network's status.
 * https://learn.microsoft.com/azure/private-link/private-endpoint-dns
 */
export const PRIVATE_LINK_ZONES = {
  aks: (region: string) => `privatelink.${region}.azmk8s.io`,
  blob: () => 'privatelink.blob.core.windows.net',
  file: () => 'privatelink.file.core.windows.net',
  queue: () => 'privatelink.queue.core.windows.net',
  table: () => 'privatelink.table.core.windows.net',
  dfs: () => 'privatelink.dfs.core.windows.net',
  vault: () => 'privatelink.vaultcore.azure.net',
} as const;
export type PrivateLinkZone = keyof typeof PRIVATE_LINK_ZONES;
export const PRIVATE_LINK_ZONE_KEYS = Object.keys(PRIVATE_LINK_ZONES) as PrivateLinkZone[];

/**
 * Names the hub's and the management network's VNets, DNS links and peerings take where an
 * environment's would: an environment named so would take them over (vnet-<xr>-hub, and the
 * dns-link-<zone>-management of the management network).
 */
export const RESERVED_ENVIRONMENT_NAMES = ['hub', 'management'] as const;

/**
 * Address space a network may use without saying it owns public addresses: RFC 1918 and the
 * RFC 6598 shared space. A VNet can hold public ranges, but traffic to those addresses would then
 * stay inside Azure instead of reaching their owners
 * (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#what-address-ranges-can-i-use-in-my-virtual-networks).
 */
export const PRIVATE_ADDRESS_SPACE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'] as const;

export const defaults = {
  spokePrefixLength: 20,
  providerConfigRef: DEFAULT_PROVIDER_CONFIG,
  gatewaySku: 'WAF_v2',
  gatewayMinCapacity: ZONE_REDUNDANT_MIN_CAPACITY,
  zonalGatewayMinCapacity: ZONE_REDUNDANT_MIN_CAPACITY,
  gatewayMaxCapacity: 3,
  gatewayZones: ['1', '2', '3'],
  wafMode: 'Prevention',
  rewriteServices: ['jupyter', 'opal', 'keycloak'],
  oauthCallbacks: [{ service: 'jupyter', path: '/hub/oauth_callback' }],
  /** The reference's secret naming: one unencrypted PFX secret per environment. */
  certificateSecretName: (environment: string) => `tls-${environment}-pfx`,
} as const;

export const enums = {
  providerConfigKind: PROVIDER_CONFIG_KINDS,
  gatewaySku: ['WAF_v2', 'Standard_v2'],
  wafMode: ['Prevention', 'Detection'],
  zone: ['1', '2', '3'],
} as const;
