import { PrivateDnsZone, PrivateDnsZoneVirtualNetworkLink } from '../../../imports/network.azure.m.upbound.io.js';
import { render } from '../lib/manifest.js';
import type { DesiredResources } from '../lib/composition.js';
import { environmentDomains } from './domains.js';
import type { HubAttachment } from './hub.js';
import { azureNames, keys, meta, refTo, tags } from './naming.js';
import type { NetworkSpec } from './spec.js';

/** The private-link zones every environment resolves through: AKS API servers, storage, Key Vault. */
export function sharedZones(region: string): { key: string; name: string }[] {
  return [
    { key: 'aks', name: `privatelink.${region}.azmk8s.io` },
    ...['blob', 'file', 'queue', 'table', 'dfs'].map((service) => ({ key: service, name: `privatelink.${service}.core.windows.net` })),
    { key: 'vault', name: 'privatelink.vaultcore.azure.net' },
  ];
}

export function environmentZoneKey(env: string): string {
  return `env-${env}`;
}

/**
 * Shared zones are linked to the hub and every spoke, so private endpoints resolve wherever
 * they are used. An environment's own zone is linked to the hub (the gateway resolves its
 * backend there) and to its own spoke, not to the others'. Registration is always off: these
 * zones hold records that external-dns and private endpoints manage, never VM auto-records.
 */
export function composeDns(spec: NetworkSpec, hub: HubAttachment, desired: DesiredResources): void {
  const zones: { key: string; name: string; spokes: string[]; environment?: string }[] = [
    ...sharedZones(spec.region).map((zone) => ({ ...zone, spokes: spec.environments.map((e) => e.name) })),
    ...spec.environments.map((env) => ({
      key: environmentZoneKey(env.name),
      name: environmentDomains(spec, env).internal,
      spokes: [env.name],
      environment: env.name,
    })),
  ];

  for (const zone of zones) {
    const zoneKey = keys.dnsZone(zone.key);
    const environment = zone.environment;
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

    const targets = [
      {
        vnet: 'hub',
        azureVnetName: hub.vnetId ? (hub.peeringHome.virtualNetworkName ?? 'hub') : azureNames.hubVnet(spec),
        network: hub.vnetRef ? { virtualNetworkIdRef: hub.vnetRef } : { virtualNetworkId: hub.vnetId },
      },
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
            forProvider: {
              resourceGroupNameRef: refTo(spec, keys.resourceGroup),
              privateDnsZoneNameRef: refTo(spec, zoneKey),
              ...target.network,
              registrationEnabled: false,
              tags: tags(spec, environment),
            },
          },
        }),
      );
    }
  }
}
