import { PrivateEndpoint } from '../../../imports/network.azure.m.upbound.io.js';
import { render, type Manifest } from '../lib/manifest.js';
import { meta, type Stamp } from '../lib/stamp.js';

/**
 * A private endpoint for one sub-resource (vault, blob, file, ...) in the spoke's endpoint
 * subnet, registered in the matching private-link zone. The target's ID has no `*Ref` field,
 * so callers compose it only once they know the target's ID.
 */
export function privateEndpoint(
  stamp: Stamp,
  key: string,
  target: { azureName: string; id: string; subresource: string },
  placement: { resourceGroupName: string; subnetId: string; zoneId: string },
): Manifest {
  const name = `pe-${target.azureName}-${target.subresource}`;
  return render(PrivateEndpoint, {
    metadata: meta(stamp, key, { azureName: name }),
    spec: {
      providerConfigRef: stamp.providerConfigRef,
      forProvider: {
        location: stamp.region,
        resourceGroupName: placement.resourceGroupName,
        tags: { ...stamp.tags },
        subnetId: placement.subnetId,
        privateServiceConnection: {
          name: `psc-${target.azureName}-${target.subresource}`,
          isManualConnection: false,
          privateConnectionResourceId: target.id,
          subresourceNames: [target.subresource],
        },
        privateDnsZoneGroup: { name: `zones-${target.subresource}`, privateDnsZoneIds: [placement.zoneId] },
      },
    },
  });
}
