import * as c from './contract.js';
import { digString } from './json.js';
import type { Stamp } from './stamp.js';
import { PROVIDER_CONFIG_KINDS, TAG_LIMITS } from './xr-basics.js';

// What every child XR of this package is told by its parent in its spec contract (the provider
// config, the parent's tags, Azure IDs), and the stamp its resources carry from that: written once
// for a network's children (spokes, monitoring) and a cluster's (cluster/child-contract.ts).

export const azureId = (description: string) => c.string(description, { maxLength: 512 });

export const providerConfigRefField = c.object('The provider-azure config.', {
  kind: c.string('ProviderConfig kind.', { enum: PROVIDER_CONFIG_KINDS }),
  name: c.string('ProviderConfig name.', { maxLength: 253 }),
});

export const parentTagsField = (description: string) => c.map(description, c.string('A tag value.', { maxLength: TAG_LIMITS.maxValue }), { maxProperties: 50 });

/** The stamp of a child XR: its own name and namespace, the rest as its parent told it. */
export function childStamp(
  xr: unknown,
  told: { readonly region: string; readonly providerConfigRef: Stamp['providerConfigRef']; readonly tags: Stamp['tags'] },
  labels: Stamp['labels'],
  resourceGroupKey = '',
): Stamp {
  return {
    xrName: digString(xr, 'metadata', 'name') ?? '',
    namespace: digString(xr, 'metadata', 'namespace') ?? 'default',
    region: told.region,
    providerConfigRef: told.providerConfigRef,
    labels,
    tags: told.tags,
    resourceGroupKey,
  };
}
