import { LABEL_ENVIRONMENT, LABEL_NETWORK, TAG } from '../lib/labels.js';
import type { Stamp } from '../lib/stamp.js';
import type { SubnetRole } from '../network/address-plan.js';
import { roleSlug } from '../network/naming.js';
import type { SpokeSpec } from './contract.js';
import { merged } from '../lib/records.js';

// Every name a spoke uses. Composition keys are the spoke's own; Azure names are the ones the
// network gave these resources before spokes were XRs of their own (network/naming.ts), so that a
// spoke adopts what a network made and a new one looks the same.

export const keys = {
  vnet: 'vnet',
  subnet: (role: SubnetRole) => `subnet-${roleSlug[role]}`,
  nsg: (role: SubnetRole) => `nsg-${roleSlug[role]}`,
  nsgAssociation: (role: SubnetRole) => `nsg-${roleSlug[role]}-association`,
  routeTable: (role: SubnetRole) => `rt-${roleSlug[role]}`,
  routeTableAssociation: (role: SubnetRole) => `rt-${roleSlug[role]}-association`,
  peeringToHub: 'peering-to-hub',
  peeringFromHub: 'peering-from-hub',
  peeringToManagement: 'peering-to-management',
  peeringFromManagement: 'peering-from-management',
  peeringToManagementSpoke: 'peering-to-management-spoke',
  peeringFromManagementSpoke: 'peering-from-management-spoke',
  dnsZone: 'dns-zone',
  dnsZoneLinkHub: 'dns-zone-link-hub',
  dnsZoneLink: 'dns-zone-link',
  privateLinkZoneLink: (purpose: string) => `dns-link-${purpose}`,
  natGateway: 'nat-gateway',
  natPublicIp: 'nat-public-ip',
  natPublicIpAssociation: 'nat-public-ip-association',
  natGatewayAssociation: 'nat-gateway-association-nodes',
  /** By name: a renamed certificate is a new one, the old one left in the vault (network/certificates.ts). */
  certificate: (name: string) => `certificate-${name.toLowerCase()}`,
} as const;

/** Azure names, as a network named these resources before spokes were XRs of their own. */
export const spokeAzureNames = {
  vnet: (network: string, env: string) => `vnet-${network}-${env}`,
  nsg: (network: string, env: string, role: SubnetRole) => `nsg-${network}-${env}-${roleSlug[role]}`,
  routeTable: (network: string, env: string, role: SubnetRole) => `rt-${network}-${env}-${roleSlug[role]}`,
  peeringToHub: (env: string) => `peer-${env}-to-hub`,
  peeringFromHub: (network: string, env: string) => `peer-hub-to-${network}-${env}`,
  peeringToManagement: (env: string) => `peer-${env}-to-management`,
  peeringFromManagement: (network: string, env: string) => `peer-management-to-${network}-${env}`,
  peeringBetweenSpokes: (from: string, to: string) => `peer-${from}-to-spoke-${to}`,
  dnsLink: (vnetName: string) => `link-${vnetName}`,
  natGateway: (network: string, env: string) => `ng-${network}-${env}`,
  natPublicIp: (network: string, env: string) => `pip-${network}-${env}-nat`,
};

/** The Kubernetes name of a network's spoke for an environment. */
export function spokeXrName(network: string, environment: string): string {
  return `${network}-${environment}-spoke`;
}

/** What every resource of the spoke shares: its name prefix, labels, region, group and tags. */
export function spokeStamp(spec: SpokeSpec, xrName: string, namespace: string): Stamp {
  return {
    xrName,
    namespace,
    region: spec.region,
    providerConfigRef: spec.providerConfigRef,
    labels: { [LABEL_NETWORK]: spec.network, [LABEL_ENVIRONMENT]: spec.environment },
    tags: merged(spec.tags, { [TAG.environment]: spec.environment }),
    resourceGroupKey: '',
  };
}
