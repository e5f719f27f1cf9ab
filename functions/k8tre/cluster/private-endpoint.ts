import { PrivateEndpoint } from '../../../imports/network.azure.m.upbound.io.js';
import { render, type Manifest } from '../lib/manifest.js';
import { meta, placement, type Stamp } from '../lib/stamp.js';

/**
 * A private endpoint for one sub-resource (vault, blob, file, ...) in the spoke's endpoint
 * subnet, registered in the matching private-link zone. The target's ID has no `*Ref` field,
 * so callers compose it only once the target is observed.
 */
export function privateEndpoint(
  stamp: Stamp,
  key: string,
  target: { azureName: string; id: string; subresource: string },
  subnetId: string,
  zoneId: string,
): Manifest {
  const name = `pe-${target.azureName}-${target.subresource}`;
  return render(PrivateEndpoint, {
    metadata: meta(stamp, key, { azureName: name }),
    spec: {
      providerConfigRef: stamp.providerConfigRef,
      forProvider: {
        ...placement(stamp),
        subnetId,
        privateServiceConnection: {
          name: `psc-${target.azureName}-${target.subresource}`,
          isManualConnection: false,
          privateConnectionResourceId: target.id,
          subresourceNames: [target.subresource],
        },
        privateDnsZoneGroup: { name: `zones-${target.subresource}`, privateDnsZoneIds: [zoneId] },
      },
    },
  });
}
