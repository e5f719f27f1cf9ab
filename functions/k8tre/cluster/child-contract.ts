import * as c from '../lib/contract.js';
import { digString } from '../lib/json.js';
import { LABEL_CLUSTER } from '../lib/labels.js';
import type { Stamp } from '../lib/stamp.js';
import { PROVIDER_CONFIG_KINDS, TAG_LIMITS } from '../lib/xr-basics.js';
import { limits, patterns } from './api.js';

// What every child XR of a cluster is told of where its resources go, and the stamp its resources
// carry from it: written once for the data stores and the workload identities.

export const clusterChildFields = {
  cluster: c.string('The XK8treCluster it belongs to.', { pattern: limits.xrName.pattern.source }),
  region: c.string('Azure region.', { pattern: patterns.region.pattern.source }),
  providerConfigRef: c.object('The provider-azure config.', {
    kind: c.string('ProviderConfig kind.', { enum: PROVIDER_CONFIG_KINDS }),
    name: c.string('ProviderConfig name.', { maxLength: 253 }),
  }),
  tags: c.map('The cluster’s Azure tags.', c.string('A tag value.', { maxLength: TAG_LIMITS.maxValue }), { maxProperties: 50 }),
};

export const azureId = (description: string) => c.string(description, { maxLength: 512 });
export const groupName = (description: string) => c.string(description, { pattern: patterns.resourceGroupName.pattern.source, maxLength: 90 });

/** The stamp of a cluster's child XR: its own name and namespace, the rest as its cluster told it (clusterChildFields). */
export function clusterChildStamp(
  xr: unknown,
  spec: { readonly cluster: string; readonly region: string; readonly providerConfigRef: Stamp['providerConfigRef']; readonly tags: Stamp['tags'] },
  resourceGroupKey: string,
): Stamp {
  return {
    xrName: digString(xr, 'metadata', 'name') ?? '',
    namespace: digString(xr, 'metadata', 'namespace') ?? 'default',
    region: spec.region,
    providerConfigRef: spec.providerConfigRef,
    labels: { [LABEL_CLUSTER]: spec.cluster },
    tags: spec.tags,
    resourceGroupKey,
  };
}
