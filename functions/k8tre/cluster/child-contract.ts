import { azureId, childStamp, parentTagsField, providerConfigRefField } from '../lib/child-fields.js';
import * as c from '../lib/contract.js';
import { LABEL_CLUSTER } from '../lib/labels.js';
import type { Stamp } from '../lib/stamp.js';
import { limits, patterns } from './api.js';

export { azureId };

// What every child XR of a cluster is told of where its resources go, and the stamp its resources
// carry from it: written once for the data stores and the workload identities.

export const clusterChildFields = {
  cluster: c.string('The XK8treCluster it belongs to.', { pattern: limits.xrName.pattern.source }),
  region: c.string('Azure region.', { pattern: patterns.region.pattern.source }),
  providerConfigRef: providerConfigRefField,
  tags: parentTagsField('The cluster’s Azure tags.'),
};

export const groupName = (description: string) => c.string(description, { pattern: patterns.resourceGroupName.pattern.source, maxLength: 90 });

/** The stamp of a cluster's child XR: its own name and namespace, the rest as its cluster told it (clusterChildFields). */
export function clusterChildStamp(
  xr: unknown,
  spec: { readonly cluster: string; readonly region: string; readonly providerConfigRef: Stamp['providerConfigRef']; readonly tags: Stamp['tags'] },
  resourceGroupKey: string,
): Stamp {
  return childStamp(xr, spec, { [LABEL_CLUSTER]: spec.cluster }, resourceGroupKey);
}
