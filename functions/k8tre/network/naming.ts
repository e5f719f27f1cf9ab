import type { Manifest, ObjectMeta } from '../lib/manifest.js';
import { API_VERSION } from './api.js';
import { meta as stampMeta, placement as stampPlacement, refTo as stampRef, type Stamp } from '../lib/stamp.js';
import type { SubnetRole } from './address-plan.js';
import { spokeAzureNames } from '../spoke/naming.js';
import type { NetworkSpec } from './spec.js';
import { LABEL_ENVIRONMENT, LABEL_NETWORK, MANAGED_BY, TAG } from '../lib/labels.js';

// Every name the network composition uses, in one place: the composition resource key
// (stable identity inside Crossplane), the Kubernetes name (`<xr>-<key>`), and the Azure
// name, which is set through the external-name annotation so it reads like the reference's.

/** Short slugs for subnet roles in keys and Azure names. */
export const roleSlug: Record<SubnetRole, string> = { nodes: 'nodes', privateEndpoints: 'pe', ingress: 'ingress', apiServer: 'apiserver' };

/** Subnet names K8TRE and the reference expect inside every spoke. */
export const spokeSubnetName: Record<SubnetRole, string> = {
  nodes: 'snet-clusternodes',
  privateEndpoints: 'snet-privatelinkendpoints',
  ingress: 'snet-clusteringressservices',
  apiServer: 'snet-apiserver',
};

export const hubSubnetName = {
  applicationGateway: 'ApplicationGatewaySubnet',
  /** Azure requires exactly this name for a firewall's subnet. */
  firewall: 'AzureFirewallSubnet',
  /** And this one for a Basic firewall's management traffic. */
  firewallManagement: 'AzureFirewallManagementSubnet',
  management: 'snet-management',
} as const;

// The keys from spokeVnet to peeringBetweenSpokes, with dnsLink(<zone>, <env>) and dnsZone(env-<env>),
// are those of a network composed before spokes were XRs of their own: network/migration.ts moves them.
export const keys = {
  resourceGroup: 'resource-group',
  hubVnet: 'hub-vnet',
  hubSubnet: (which: keyof typeof hubSubnetName) => `hub-subnet-${hubSubnetSlug[which]}`,
  spokeVnet: (env: string) => `spoke-${env}-vnet`,
  spokeSubnet: (env: string, role: SubnetRole) => `spoke-${env}-subnet-${roleSlug[role]}`,
  spokeNsg: (env: string, role: SubnetRole) => `spoke-${env}-nsg-${roleSlug[role]}`,
  spokeNsgAssociation: (env: string, role: SubnetRole) => `spoke-${env}-nsg-${roleSlug[role]}-association`,
  spokeRouteTable: (env: string, role: SubnetRole) => `spoke-${env}-rt-${roleSlug[role]}`,
  spokeRouteTableAssociation: (env: string, role: SubnetRole) => `spoke-${env}-rt-${roleSlug[role]}-association`,
  peeringToHub: (env: string) => `spoke-${env}-peering-to-hub`,
  peeringFromHub: (env: string) => `spoke-${env}-peering-from-hub`,
  /** Peerings with the network where Crossplane and ArgoCD run (spec.management). */
  peeringToManagement: (env: string) => `spoke-${env}-peering-to-management`,
  peeringFromManagement: (env: string) => `spoke-${env}-peering-from-management`,
  /** A peering from one spoke's VNet to another's, for a management environment. */
  peeringBetweenSpokes: (from: string, to: string) => `spoke-${from}-peering-to-spoke-${to}`,
  dnsZone: (zone: string) => `dns-zone-${zone}`,
  dnsLink: (zone: string, vnet: string) => `dns-link-${zone}-${vnet}`,
  /** The first gateway keeps the keys it had before gateways were sharded; the others are numbered from 2. */
  gatewayPublicIp: (index: number) => (index === 0 ? 'gateway-public-ip' : `gateway-${index + 1}-public-ip`),
  gatewayIdentity: 'gateway-identity',
  gatewayKeyVaultRole: 'gateway-keyvault-secrets-user',
  gatewayWafPolicy: 'gateway-waf-policy',
  gateway: (index: number) => (index === 0 ? 'gateway' : `gateway-${index + 1}`),
  /** The network's XK8treMonitoring (network/monitoring.ts). */
  monitoring: 'monitoring',
  /** The network's XK8treFirewall (network/egress.ts). */
  firewall: 'firewall',
} as const;

const hubSubnetSlug: Record<keyof typeof hubSubnetName, string> = {
  applicationGateway: 'appgw',
  firewall: 'firewall',
  firewallManagement: 'firewall-management',
  management: 'management',
};

/** The gateway index a composition key names, for keys.gateway(index). */
export function gatewayIndexOfKey(key: string): number | undefined {
  if (key === 'gateway') return 0;
  const n = /^gateway-([2-9]|[1-9][0-9]+)$/.exec(key)?.[1];
  return n === undefined ? undefined : Number(n) - 1;
}

/**
 * The names of an environment's parts inside an Application Gateway, which its listener, rule,
 * pool, settings and probe refer to each other by, and which a network reads back from the
 * gateway it observes (previous.ts, certificates.ts). The reference's names.
 */
export const gatewayChildNames = (env: string) => ({
  listener: `listener-https-${env}`,
  certificate: `ssl-cert-${env}`,
  pool: `backendpool-${env}`,
  settings: `https-settings-${env}`,
  probe: `health-probe-${env}`,
  rule: `rule-${env}`,
});

export const azureNames = {
  /** A spoke's VNet, which its XK8treSpoke composes (spoke/naming.ts). */
  spokeVnet: (spec: NetworkSpec, env: string) => spokeAzureNames.vnet(spec.name, env),
  hubVnet: (spec: NetworkSpec) => `vnet-${spec.name}-hub`,
  dnsLink: (vnetName: string) => `link-${vnetName}`,
  publicIp: (spec: NetworkSpec, index: number) => `pip-${spec.name}-appgw${index === 0 ? '' : `-${index + 1}`}`,
  gatewayIdentity: (spec: NetworkSpec) => `id-${spec.name}-appgw`,
  gateway: (spec: NetworkSpec, index: number) => `agw-${spec.name}${index === 0 ? '' : `-${index + 1}`}`,
  wafPolicy: (spec: NetworkSpec) => `waf-${spec.name}`,
  // Monitoring (monitoring/): a data collection endpoint's name is at most 44 characters
  // (Microsoft's templates cut it there), which a 24-character network name leaves room for.
  logAnalytics: (spec: NetworkSpec) => `log-${spec.name}`,
  monitorWorkspace: (spec: NetworkSpec) => `amw-${spec.name}`,
  prometheusEndpoint: (spec: NetworkSpec) => `dce-${spec.name}-prometheus`,
  prometheusRule: (spec: NetworkSpec) => `dcr-${spec.name}-prometheus`,
  actionGroup: (spec: NetworkSpec) => `ag-${spec.name}`,
  // Managed Grafana: 2 to 23 letters, digits and hyphens, ending in a letter or digit
  // (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftdashboard).
  grafana: (spec: NetworkSpec) => `amg-${spec.name}`.slice(0, 23).replace(/-+$/, ''),
  // Egress (network/egress.ts, firewall/) and its spokes' NAT gateways (spoke/naming.ts).
  firewall: (spec: NetworkSpec) => `afw-${spec.name}`,
  firewallPolicy: (spec: NetworkSpec) => `afwp-${spec.name}`,
  firewallPublicIp: (spec: NetworkSpec) => `pip-${spec.name}-afw`,
  firewallManagementPublicIp: (spec: NetworkSpec) => `pip-${spec.name}-afw-management`,
};

/** What every child XR of a network is told of it (lib/child-fields.ts): its name, region, group, provider config and tags. */
export function toldByNetwork(spec: NetworkSpec) {
  return {
    network: spec.name,
    region: spec.region,
    resourceGroupName: spec.resourceGroupName,
    providerConfigRef: { ...spec.providerConfigRef },
    tags: { ...spec.tags },
  };
}

/** A child XR of the network: named `<network>-<key>`, labelled with the network. */
export function networkChildXr(spec: NetworkSpec, key: string, kind: string, childSpec: object): Manifest {
  // A child's spec is its contract's type (an interface), which carries no index signature.
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: { name: `${spec.name}-${key}`, labels: { [LABEL_NETWORK]: spec.name } },
    spec: childSpec as Record<string, unknown>,
  };
}

/** The network XR's stamp: what all its composed resources share. */
export function networkStamp(spec: NetworkSpec): Stamp {
  return {
    xrName: spec.name,
    namespace: spec.namespace,
    region: spec.region,
    providerConfigRef: spec.providerConfigRef,
    labels: { [LABEL_NETWORK]: spec.name },
    tags: tags(spec),
    resourceGroupKey: keys.resourceGroup,
  };
}

export function refTo(spec: NetworkSpec, key: string): { name: string } {
  return stampRef(networkStamp(spec), key);
}

export function meta(spec: NetworkSpec, key: string, options: { azureName?: string; environment?: string } = {}): ObjectMeta {
  return stampMeta(networkStamp(spec), key, {
    azureName: options.azureName,
    labels: options.environment ? { [LABEL_ENVIRONMENT]: options.environment } : undefined,
  });
}

export function placement(spec: NetworkSpec, environment?: string): ReturnType<typeof stampPlacement> {
  return stampPlacement(networkStamp(spec), environment ? { [TAG.environment]: environment } : {});
}

/** Tags every taggable Azure resource carries: the package's and the user's, whose names never meet (lib/xr-basics.ts). */
export function tags(spec: NetworkSpec, environment?: string): Record<string, string> {
  return { [TAG.network]: spec.name, ...(environment && { [TAG.environment]: environment }), ...MANAGED_BY, ...spec.tags };
}
