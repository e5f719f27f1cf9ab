import {
  NatGateway,
  NatGatewayPublicIpAssociation,
  PrivateDnsZone,
  PublicIp,
  PrivateDnsZoneVirtualNetworkLink,
  RouteTable,
  SecurityGroup,
  Subnet,
  SubnetNatGatewayAssociation,
  SubnetNetworkSecurityGroupAssociation,
  SubnetRouteTableAssociation,
  VirtualNetwork,
  VirtualNetworkPeering,
} from '../../../imports/network.azure.m.upbound.io.js';
import { Certificate, CertificateSpecManagementPolicies } from '../../../imports/keyvault.azure.m.upbound.io.js';
import { orphaningPolicies } from '../lib/adoption.js';
import { parseCidr } from '../lib/cidr.js';
import * as contract from '../lib/contract.js';
import type { ComposeInput, Composition, DesiredResources } from '../lib/composition.js';
import { dig, digString, isObject } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { definedFields } from '../lib/records.js';
import type { OutboundType } from '../network/egress.js';
import { ownSpec } from '../lib/own-spec.js';
import { FieldError } from '../lib/field-error.js';
import { render } from '../lib/manifest.js';
import { meta, refTo, type Stamp } from '../lib/stamp.js';
import { SUBNET_ROLES, type SubnetRole } from '../network/address-plan.js';
import { spokeSubnetName } from '../network/naming.js';
import { securityRules } from '../network/security-rules.js';
import { spokeSpecContract, type SpokeSpec, type SpokeStatus } from './contract.js';
import { keys, spokeAzureNames as names, spokeStamp, spokeXrName } from './naming.js';
import { TAG } from '../lib/labels.js';

// One environment's spoke: its VNet, a subnet per role with an NSG and a route table each, both
// associated (the node subnet's routing to the hub firewall, or with a NAT gateway of its own, as
// the network's egress says), peerings with the hub, the management network and the management environment's
// spoke, the environment's private zone with its links, and the spoke's links to the shared
// private-link zones. Every range, peer and zone comes from the spec its network wrote.

const DEFAULT_ROUTE = '0.0.0.0/0';

/** AKS API server VNet integration needs its subnet delegated to the managed cluster service. */
const API_SERVER_DELEGATION = {
  name: 'aks-apiserver',
  serviceDelegation: {
    name: 'Microsoft.ContainerService/managedClusters',
    actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
  },
};

export function composeSpokeXr({ xr, observed }: ComposeInput): Composition {
  const spec = contract.read(spokeSpecContract, ownSpec(xr), 'spec');
  for (const [field, vnet] of [
    ['spec.hub', spec.hub],
    ['spec.management', spec.management],
  ] as const) {
    if (vnet && !vnet.virtualNetworkId === !vnet.virtualNetworkRef)
      throw new FieldError(field, 'names its VNet by exactly one of virtualNetworkId and virtualNetworkRef');
  }
  const name = digString(xr, 'metadata', 'name') ?? '';
  const namespace = digString(xr, 'metadata', 'namespace') ?? 'default';
  const stamp = spokeStamp(spec, name, namespace);
  const desired: DesiredResources = new Map();
  composeSpoke(spec, stamp, desired);

  const id = (key: string) => observed.atProvider(key, 'id');
  const subnetIds = Object.fromEntries(
    SUBNET_ROLES.flatMap((role) => Object.entries({ [role]: id(keys.subnet(role)) }).filter((e): e is [string, string] => e[1] !== undefined)),
  );
  const certificate = spec.certificate && certificateStatus(observed, keys.certificate(spec.certificate.name));
  const status = definedFields<SpokeStatus>({
    virtualNetworkId: id(keys.vnet) || undefined,
    subnetIds: Object.keys(subnetIds).length > 0 ? subnetIds : undefined,
    dnsZoneId: id(keys.dnsZone) || undefined,
    outboundType: egressInPlace(spec, observed),
    certificateSecretId: certificate?.certificateSecretId,
    certificateExpires: certificate?.certificateExpires,
  });
  return { resources: desired, status, conditions: [] };
}

/**
 * The outbound type the node subnet's path is in Azure for, as told: the default route to the
 * firewall on its associated route table, or its NAT gateway with an IP, associated.
 */
function egressInPlace(spec: SpokeSpec, observed: Observed): OutboundType | undefined {
  const associated = (key: string) => observed.atProvider(key, 'id') !== undefined;
  if (spec.egressNatGateway) {
    return associated(keys.natGatewayAssociation) && associated(keys.natPublicIpAssociation) ? 'userAssignedNATGateway' : undefined;
  }
  if (!spec.egressNextHopIp || !associated(keys.routeTableAssociation('nodes'))) return undefined;
  const routes = dig(observed.get(keys.routeTable('nodes')), 'status', 'atProvider', 'route');
  const routed =
    Array.isArray(routes) &&
    routes.some(
      (r) => isObject(r) && r.addressPrefix === DEFAULT_ROUTE && r.nextHopType === 'VirtualAppliance' && r.nextHopInIpAddress === spec.egressNextHopIp,
    );
  return routed ? 'userDefinedRouting' : undefined;
}

/** Server authentication (https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.12). */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/**
 * The environment's TLS certificate, when Key Vault issues it (network/certificates.ts): Key Vault
 * keeps it, renews it ahead of expiry and puts it, key and all, in the secret of the same name
 * that the gateway reads (https://learn.microsoft.com/azure/key-vault/certificates/about-certificates#composition-of-a-certificate).
 * Crossplane never deletes it: a live listener may still serve it, and a deleted certificate
 * holds its name for the vault's soft-delete retention.
 */
function composeCertificate(certificate: NonNullable<SpokeSpec['certificate']>, stamp: Stamp, desired: DesiredResources): void {
  const key = keys.certificate(certificate.name);
  desired.set(
    key,
    render(Certificate, {
      metadata: meta(stamp, key),
      spec: {
        providerConfigRef: stamp.providerConfigRef,
        managementPolicies: orphaningPolicies(CertificateSpecManagementPolicies),
        forProvider: {
          name: certificate.name,
          keyVaultId: certificate.keyVaultId,
          certificatePolicy: {
            issuerParameters: { name: certificate.issuerName },
            // The gateway takes the private key from the PFX, so it must be exportable; a new key each renewal.
            keyProperties: { keyType: 'RSA', keySize: 2048, exportable: true, reuseKey: false },
            secretProperties: { contentType: 'application/x-pkcs12' },
            lifetimeAction: [{ action: { actionType: 'AutoRenew' }, trigger: { daysBeforeExpiry: certificate.renewDaysBeforeExpiry } }],
            x509CertificateProperties: {
              subject: certificate.subject,
              subjectAlternativeNames: { dnsNames: [...certificate.dnsNames] },
              keyUsage: ['digitalSignature', 'keyEncipherment'],
              extendedKeyUsage: [SERVER_AUTH],
              validityInMonths: certificate.validityInMonths,
            },
          },
          tags: { ...stamp.tags },
        },
      },
    }),
  );
}

/** The secret behind the certificate, and its expiry, once Key Vault has issued it. */
function certificateStatus(observed: Observed, key: string): Pick<SpokeStatus, 'certificateSecretId' | 'certificateExpires'> {
  return definedFields({
    certificateSecretId: observed.atProvider(key, 'versionlessSecretId'),
    certificateExpires: observed.atProviderPath(key, 'certificateAttribute', 0, 'expires'),
  });
}

/** The Azure name a resource had under its network, or none: what the spoke adopts. */
function adopted(spec: SpokeSpec, key: string): { azureName?: string } {
  const name = spec.externalNames?.[key];
  return name ? { azureName: name } : {};
}

export function composeSpoke(spec: SpokeSpec, stamp: Stamp, desired: DesiredResources): void {
  const env = spec.environment;
  const { providerConfigRef, resourceGroupName } = spec;
  const placed = { location: spec.region, resourceGroupName, tags: { ...stamp.tags } };
  const vnetName = names.vnet(spec.network, env);
  const set = (key: string, model: Parameters<typeof render>[0], azureName: string | undefined, spec_: unknown) =>
    desired.set(key, render(model, { metadata: meta(stamp, key, azureName ? { azureName } : adopted(spec, key)), spec: spec_ as never }));

  set(keys.vnet, VirtualNetwork, vnetName, { providerConfigRef, forProvider: { addressSpace: [spec.addressSpace], ...placed } });

  const plan = {
    addressSpace: parseCidr(spec.addressSpace),
    subnets: Object.fromEntries(SUBNET_ROLES.map((role) => [role, parseCidr(spec.subnets[role])])) as Record<SubnetRole, ReturnType<typeof parseCidr>>,
  };
  for (const role of SUBNET_ROLES) {
    set(keys.subnet(role), Subnet, spokeSubnetName[role], {
      providerConfigRef,
      forProvider: {
        resourceGroupName,
        virtualNetworkNameRef: refTo(stamp, keys.vnet),
        addressPrefixes: [spec.subnets[role]],
        // Egress goes through the cluster's load balancer or the hub firewall, never Azure's implicit path.
        defaultOutboundAccessEnabled: false,
        // Let NSGs and route tables apply to private endpoints too (Azure's default exempts them).
        ...(role === 'privateEndpoints' && { privateEndpointNetworkPolicies: 'Enabled' }),
        ...(role === 'apiServer' && { delegation: [API_SERVER_DELEGATION] }),
      },
    });
    set(keys.nsg(role), SecurityGroup, names.nsg(spec.network, env, role), {
      providerConfigRef,
      forProvider: { securityRule: securityRules(role, plan, spec.access), ...placed },
    });
    set(keys.nsgAssociation(role), SubnetNetworkSecurityGroupAssociation, undefined, {
      providerConfigRef,
      forProvider: { subnetIdRef: refTo(stamp, keys.subnet(role)), networkSecurityGroupIdRef: refTo(stamp, keys.nsg(role)) },
    });
    set(keys.routeTable(role), RouteTable, names.routeTable(spec.network, env, role), {
      providerConfigRef,
      forProvider: {
        // With a hub firewall, learned routes must not bypass it.
        bgpRoutePropagationEnabled: spec.egressNextHopIp === undefined,
        route:
          role === 'nodes' && spec.egressNextHopIp
            ? [{ name: 'default-via-hub-firewall', addressPrefix: DEFAULT_ROUTE, nextHopType: 'VirtualAppliance', nextHopInIpAddress: spec.egressNextHopIp }]
            : [],
        ...placed,
      },
    });
    // A route table applies only once associated; AKS's userDefinedRouting refuses a node subnet without one.
    set(keys.routeTableAssociation(role), SubnetRouteTableAssociation, undefined, {
      providerConfigRef,
      forProvider: { subnetIdRef: refTo(stamp, keys.subnet(role)), routeTableIdRef: refTo(stamp, keys.routeTable(role)) },
    });
  }

  // A NAT gateway of the spoke's own: the nodes' outbound traffic leaves through its IP instead of
  // the cluster's load balancer (https://learn.microsoft.com/azure/aks/nat-gateway#create-an-aks-cluster-with-a-user-assigned-nat-gateway).
  if (spec.egressNatGateway) {
    set(keys.natPublicIp, PublicIp, names.natPublicIp(spec.network, env), {
      providerConfigRef,
      forProvider: { allocationMethod: 'Static', sku: 'Standard', skuTier: 'Regional', ...placed },
    });
    set(keys.natGateway, NatGateway, names.natGateway(spec.network, env), {
      providerConfigRef,
      forProvider: { skuName: 'Standard', idleTimeoutInMinutes: spec.egressNatGateway.idleTimeoutInMinutes, ...placed },
    });
    set(keys.natPublicIpAssociation, NatGatewayPublicIpAssociation, undefined, {
      providerConfigRef,
      forProvider: { natGatewayIdRef: refTo(stamp, keys.natGateway), publicIpAddressIdRef: refTo(stamp, keys.natPublicIp) },
    });
    set(keys.natGatewayAssociation, SubnetNatGatewayAssociation, undefined, {
      providerConfigRef,
      forProvider: { subnetIdRef: refTo(stamp, keys.subnet('nodes')), natGatewayIdRef: refTo(stamp, keys.natGateway) },
    });
  }

  if (spec.certificate) composeCertificate(spec.certificate, stamp, desired);

  // Peerings: from the spoke to each peer, and from each peer back, which lives in the peer's VNet.
  // The hub's accept forwarded traffic, which its firewall sends; the management networks' do not.
  const fromSpoke = (remote: object) => ({ resourceGroupName, virtualNetworkNameRef: refTo(stamp, keys.vnet), ...remote });
  const peering = (key: string, azureName: string, ends: object, forwarded: boolean) =>
    set(key, VirtualNetworkPeering, azureName, {
      providerConfigRef,
      forProvider: { allowVirtualNetworkAccess: true, allowForwardedTraffic: forwarded, ...ends },
    });
  peering(keys.peeringToHub, names.peeringToHub(env), fromSpoke(vnetIn('remoteVirtualNetworkId', spec.hub)), true);
  peering(
    keys.peeringFromHub,
    names.peeringFromHub(spec.network, env),
    { resourceGroupName: spec.hub.resourceGroupName, virtualNetworkName: spec.hub.virtualNetworkName, remoteVirtualNetworkIdRef: refTo(stamp, keys.vnet) },
    true,
  );
  if (spec.management) {
    const m = spec.management;
    peering(keys.peeringToManagement, names.peeringToManagement(env), fromSpoke(vnetIn('remoteVirtualNetworkId', m)), false);
    peering(
      keys.peeringFromManagement,
      names.peeringFromManagement(spec.network, env),
      { resourceGroupName: m.resourceGroupName, virtualNetworkName: m.virtualNetworkName, remoteVirtualNetworkIdRef: refTo(stamp, keys.vnet) },
      false,
    );
  }
  const manager = spec.managementEnvironment;
  if (manager && manager !== env) {
    // The management spoke's VNet, by its Kubernetes name: both spokes are the network's, in its namespace.
    const managerVnet = { name: `${spokeXrName(spec.network, manager)}-${keys.vnet}` };
    peering(keys.peeringToManagementSpoke, names.peeringBetweenSpokes(env, manager), fromSpoke({ remoteVirtualNetworkIdRef: managerVnet }), false);
    peering(
      keys.peeringFromManagementSpoke,
      names.peeringBetweenSpokes(manager, env),
      { resourceGroupName, virtualNetworkName: names.vnet(spec.network, manager), remoteVirtualNetworkIdRef: refTo(stamp, keys.vnet) },
      false,
    );
  }

  // The environment's zone, linked to the hub (where the gateway resolves its backend) and to
  // the spoke; the shared zones, linked to the spoke. Registration is always off: external-dns
  // and private endpoints manage their records, never VM auto-registration.
  const withEnvironment = { tags: { ...stamp.tags } };
  const networkTags = { tags: Object.fromEntries(Object.entries(stamp.tags).filter(([tag]) => tag !== TAG.environment)) };
  set(keys.dnsZone, PrivateDnsZone, spec.dnsZone, { providerConfigRef, forProvider: { resourceGroupName, ...withEnvironment } });
  const inZone = { resourceGroupName, privateDnsZoneNameRef: refTo(stamp, keys.dnsZone) };
  set(keys.dnsZoneLinkHub, PrivateDnsZoneVirtualNetworkLink, names.dnsLink(spec.hub.virtualNetworkName), {
    providerConfigRef,
    forProvider: { registrationEnabled: false, ...inZone, ...vnetIn('virtualNetworkId', spec.hub), ...withEnvironment },
  });
  set(keys.dnsZoneLink, PrivateDnsZoneVirtualNetworkLink, names.dnsLink(vnetName), {
    providerConfigRef,
    forProvider: { registrationEnabled: false, ...inZone, virtualNetworkIdRef: refTo(stamp, keys.vnet), ...withEnvironment },
  });
  for (const zone of spec.privateLinkZones) {
    set(keys.privateLinkZoneLink(zone.purpose), PrivateDnsZoneVirtualNetworkLink, names.dnsLink(vnetName), {
      providerConfigRef,
      forProvider: {
        resourceGroupName: zone.resourceGroupName,
        privateDnsZoneName: zone.name,
        virtualNetworkIdRef: refTo(stamp, keys.vnet),
        registrationEnabled: false,
        ...networkTags,
      },
    });
  }
}

type Vnet = SpokeSpec['hub'];

/**
 * A VNet in a field that takes either form, `field` or `fieldRef`: the network's own VNet by
 * reference, another by ID (a peering's remote end, a DNS link's network).
 */
function vnetIn<F extends string>(field: F, vnet: Vnet): Record<F, string> | Record<`${F}Ref`, { name: string }> {
  return vnet.virtualNetworkRef
    ? ({ [`${field}Ref`]: { name: vnet.virtualNetworkRef } } as Record<`${F}Ref`, { name: string }>)
    : ({ [field]: vnet.virtualNetworkId ?? '' } as Record<F, string>);
}
