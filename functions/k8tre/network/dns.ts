import { PrivateDnsZone, PrivateDnsZoneVirtualNetworkLink } from '../../../imports/network.azure.m.upbound.io.js';
import { parseArmId } from '../lib/arm-id.js';
import { render } from '../lib/manifest.js';
import type { DesiredResources } from '../lib/composition.js';
import { PRIVATE_LINK_ZONE_KEYS, PRIVATE_LINK_ZONES, type PrivateLinkZone } from './api.js';
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
 * The shared private-link zones this network composes, each linked to the hub; every spoke links
 * itself to each (spoke/compose-spoke.ts), and an environment's own zone is its spoke's.
 * Registration is always off: these zones hold records that private endpoints manage, never VM
 * auto-records.
 *
 * A landing zone already has the private-link zones, linked to its hub, and Azure refuses to
 * link one VNet to two zones of the same name
 * (https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links). So a zone given in
 * spec.dns.privateLinkZones is used as it is: nothing creates it or links it to the hub, and
 * only the spokes, which are new, are linked to it, in its own resource group.
 */
export function composeDns(spec: NetworkSpec, hub: HubAttachment, desired: DesiredResources): void {
  for (const zone of sharedZones(spec.region)) {
    if (!zoneHome(spec.dns.privateLinkZones[zone.key]).composed) continue;
    const zoneKey = keys.dnsZone(zone.key);
    desired.set(
      zoneKey,
      render(PrivateDnsZone, {
        metadata: meta(spec, zoneKey, { azureName: zone.name }),
        spec: { providerConfigRef: spec.providerConfigRef, forProvider: { resourceGroupNameRef: refTo(spec, keys.resourceGroup), tags: tags(spec) } },
      }),
    );
    const linkKey = keys.dnsLink(zone.key, 'hub');
    desired.set(
      linkKey,
      render(PrivateDnsZoneVirtualNetworkLink, {
        metadata: meta(spec, linkKey, { azureName: azureNames.dnsLink(hub.vnetId ? (hub.peeringHome.virtualNetworkName ?? 'hub') : azureNames.hubVnet(spec)) }),
        spec: {
          providerConfigRef: spec.providerConfigRef,
          forProvider: {
            resourceGroupNameRef: refTo(spec, keys.resourceGroup),
            privateDnsZoneNameRef: refTo(spec, zoneKey),
            ...(hub.vnetRef ? { virtualNetworkIdRef: hub.vnetRef } : { virtualNetworkId: hub.vnetId }),
            registrationEnabled: false,
            tags: tags(spec),
          },
        },
      }),
    );
  }
}

/** Where each shared zone is, for the spokes to link to: this network's group, or the landing zone's. */
export function sharedZoneHomes(spec: NetworkSpec): { purpose: PrivateLinkZone; name: string; resourceGroupName: string }[] {
  return sharedZones(spec.region).map((zone) => {
    const home = zoneHome(spec.dns.privateLinkZones[zone.key]);
    return home.composed
      ? { purpose: zone.key, name: zone.name, resourceGroupName: spec.resourceGroupName }
      : { purpose: zone.key, name: home.name, resourceGroupName: home.resourceGroupName };
  });
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
