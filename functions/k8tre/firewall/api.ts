export { API_VERSION } from '../network/api.js';

// The XRD between a network and its hub firewall (spec.egress.firewall), composed by
// XK8treNetwork, never by people. The network decides every name, subnet and rule source and
// writes them into the spec (contract.ts); the firewall XR composes the Azure Firewall, its
// policy with the rule collection groups AKS and K8TRE need, its public IPs and its diagnostics,
// and reports the private IP the spokes route through once all of it exists. The network so
// stays within the tree's bound (spoke/tree.ts).

export const KIND = 'XK8treFirewall';
export const PLURAL = 'xk8trefirewalls';

/**
 * Basic (up to 250 Mbps, alert-only threat intelligence, no DNS proxy) or Standard. Premium's TLS
 * inspection needs a certificate authority of the organisation's, which no field here carries.
 * https://learn.microsoft.com/azure/firewall/choose-firewall-sku
 */
export const FIREWALL_TIERS = ['Basic', 'Standard'] as const;
export type FirewallTier = (typeof FIREWALL_TIERS)[number];

/**
 * Threat intelligence denies known-malicious traffic where the tier can (Standard); Basic only
 * alerts (https://learn.microsoft.com/azure/firewall/basic-features#threat-intelligence-alerts).
 */
export const THREAT_INTELLIGENCE_MODE: Record<FirewallTier, 'Alert' | 'Deny'> = { Basic: 'Alert', Standard: 'Deny' };

/**
 * What AKS nodes must reach, and what the add-ons this package turns on need
 * (https://learn.microsoft.com/azure/aks/outbound-rules-control-egress): the
 * AzureKubernetesService FQDN tag, and by name MCR, Entra ID and Azure Resource Manager (in the
 * tag too, kept explicit so that a tag change cannot silently cut them), and the Azure Monitor,
 * Defender and Azure Policy endpoints. A private cluster with API server VNet integration reaches
 * its API server inside the spoke; the tunnel ports stay for clusters created without it.
 */
export const AKS_REQUIRED_FQDNS = [
  'mcr.microsoft.com',
  '*.data.mcr.microsoft.com',
  'mcr-0001.mcr-msedge.net',
  'management.azure.com',
  'login.microsoftonline.com',
  'packages.microsoft.com',
  'acs-mirror.azureedge.net',
  'packages.aks.azure.com',
] as const;
export const AKS_ADD_ON_FQDNS = [
  // Managed Prometheus and Container Insights
  'dc.services.visualstudio.com',
  '*.ods.opinsights.azure.com',
  '*.oms.opinsights.azure.com',
  '*.monitoring.azure.com',
  'global.handler.control.monitor.azure.com',
  '*.handler.control.monitor.azure.com',
  '*.ingest.monitor.azure.com',
  '*.metrics.ingest.monitor.azure.com',
  // Defender for Containers
  '*.cloud.defender.microsoft.com',
  // Azure Policy
  'data.policy.core.windows.net',
  'store.policy.core.windows.net',
] as const;

/**
 * What K8TRE's clusters pull unless the XR lists its own (spec.egress.firewall.allowedFqdns):
 * the public container registries its charts' images come from (with the CDNs they redirect
 * blobs to), and GitHub, where ArgoCD reads its repositories and Helm repositories are served.
 */
export const DEFAULT_ALLOWED_FQDNS = [
  'ghcr.io',
  'pkg-containers.githubusercontent.com',
  'quay.io',
  '*.quay.io',
  'registry.k8s.io',
  '*.pkg.dev',
  'docker.io',
  'registry-1.docker.io',
  'auth.docker.io',
  'production.cloudflare.docker.com',
  'github.com',
  'objects.githubusercontent.com',
  'raw.githubusercontent.com',
  '*.github.io',
] as const;

export const limits = {
  /** Azure Firewall allows 10,000 unique destinations per policy; a list an operator reads stays far below. */
  allowedFqdns: { min: 1, max: 200 },
} as const;

export const patterns = {
  /** A lowercase host name, optionally with a leading wildcard label (application rules' form). */
  fqdn: {
    pattern: /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/,
    describe: 'a lowercase host name such as ghcr.io, optionally starting with *.',
    maxLength: 253,
  },
} as const;

/** The policy's rule collection groups, by priority: AKS's own first, then what K8TRE pulls. */
export const RULE_GROUPS = {
  aks: { name: 'aks-egress', priority: 200 },
  k8tre: { name: 'k8tre-egress', priority: 300 },
} as const;

/** Resource-specific firewall logs (https://learn.microsoft.com/azure/firewall/monitor-firewall-reference#resource-logs). */
export const FIREWALL_LOGS = ['AZFWApplicationRule', 'AZFWNetworkRule', 'AZFWThreatIntel'] as const;
