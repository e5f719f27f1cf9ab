import { PrivateDnsZone, PrivateDnsZoneVirtualNetworkLink } from '../../../imports/network.azure.m.upbound.io.js';
import { parseArmId } from '../lib/arm-id.js';
import { render } from '../lib/manifest.js';
import type { DesiredResources } from '../lib/composition.js';
import { PRIVATE_LINK_ZONE_KEYS, PRIVATE_LINK_ZONES, type PrivateLinkZone } from './api.js';
import { environmentDomains } from './domains.js';
import type { HubAttachment } from './hub.js';
import { azureNames, keys, meta, refTo, tags } from './naming.js';
import type { NetworkSpec } from './spec.js';

/** The private-link zones every environment resolves through: AKS API servers, storage, Key Vault. */
export function sharedZones(region: string): { key: PrivateLinkZone; name: string }[] {
  return PRIVATE_LINK_ZONE_KEYS.map((key) => ({ key, name: PRIVATE_LINK_ZONES[key](region) }));
}

export function environmentZoneKey(env: string): string {
  return `env-${env}`;
}

/** Where a zone lives: composed by this XR (by reference), or a landing zone's (by ID). */
type ZoneHome = { composed: true } | { composed: false; id: string; resourceGroupName: string; name: string };

/**
 * Shared zones are linked to the hub and every spoke, so private endpoints resolve wherever
 * they are used. An environment's own zone is linked to the hub (the gateway resolves its
 * backend there) and to its own spoke, not to the others'. Registration is always off: these
 * zones hold records that external-dns and private endpoints manage, never VM auto-records.
 *
 * A landing zone already has the private-link zones, linked to its hub, and Azure refuses to
 * link one VNet to two zones of the same name
 * (https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links). So a zone given in
 * spec.dns.privateLinkZones is used as it is: nothing creates it or links it to the hub, and
 * only the spokes, which are new, are linked to it, in its own resource group.
 */
export function composeDns(spec: NetworkSpec, hub: HubAttachment, desired: DesiredResources): void {
  const zones: { key: string; name: string; spokes: string[]; home: ZoneHome; environment?: string }[] = [
    ...sharedZones(spec.region).map((zone) => ({ ...zone, spokes: spec.environments.map((e) => e.name), home: zoneHome(spec.dns.privateLinkZones[zone.key]) })),
    ...spec.environments.map((env) => ({
      key: environmentZoneKey(env.name),
      name: environmentDomains(spec, env).internal,
      spokes: [env.name],
      home: { composed: true } as const,
      environment: env.name,
    })),
  ];

  for (const zone of zones) {
    const zoneKey = keys.dnsZone(zone.key);
    const environment = zone.environment;
    if (zone.home.composed) {
      desired.set(
        zoneKey,
        render(PrivateDnsZone, {
          metadata: meta(spec, zoneKey, { azureName: zone.name, ...(environment && { environment }) }),
          spec: {
            providerConfigRef: spec.providerConfigRef,
            forProvider: { resourceGroupNameRef: refTo(spec, keys.resourceGroup), tags: tags(spec, environment) },
          },
        }),
      );
    }
    const inZone = zone.home.composed
      ? { resourceGroupNameRef: refTo(spec, keys.resourceGroup), privateDnsZoneNameRef: refTo(spec, zoneKey) }
      : { resourceGroupName: zone.home.resourceGroupName, privateDnsZoneName: zone.home.name };

    const targets = [
      ...(zone.home.composed
        ? [
            {
              vnet: 'hub',
              azureVnetName: hub.vnetId ? (hub.peeringHome.virtualNetworkName ?? 'hub') : azureNames.hubVnet(spec),
              network: hub.vnetRef ? { virtualNetworkIdRef: hub.vnetRef } : { virtualNetworkId: hub.vnetId },
            },
          ]
        : []),
      ...zone.spokes.map((env) => ({
        vnet: env,
        azureVnetName: azureNames.spokeVnet(spec, env),
        network: { virtualNetworkIdRef: refTo(spec, keys.spokeVnet(env)) },
      })),
    ];
    for (const target of targets) {
      const linkKey = keys.dnsLink(zone.key, target.vnet);
      desired.set(
        linkKey,
        render(PrivateDnsZoneVirtualNetworkLink, {
          metadata: meta(spec, linkKey, { azureName: azureNames.dnsLink(target.azureVnetName), ...(environment && { environment }) }),
          spec: {
            providerConfigRef: spec.providerConfigRef,
            forProvider: { ...inZone, ...target.network, registrationEnabled: false, tags: tags(spec, environment) },
          },
        }),
      );
    }
  }
}

function zoneHome(id: string | undefined): ZoneHome {
  if (!id) return { composed: true };
  const { resourceGroupName, name } = parseArmId(id);
  return { composed: false, id, resourceGroupName, name };
}

/** The ID of a shared zone: the landing zone's, or the observed one of the zone this XR composed. */
export function sharedZoneId(spec: NetworkSpec, key: PrivateLinkZone, observedId: (resourceKey: string) => string | undefined): string | undefined {
  return spec.dns.privateLinkZones[key] ?? observedId(keys.dnsZone(key));
}
