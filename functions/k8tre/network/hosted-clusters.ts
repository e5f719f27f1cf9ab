import { Usage } from '../../../imports/protection.crossplane.io.js';
import type { ResourceRequirement } from '../lib/composition.js';
import { FieldError } from '../lib/field-error.js';
import { dig, type JsonObject } from '../lib/json.js';
import { LABEL_CLUSTER, LABEL_ENVIRONMENT, LABEL_NETWORK } from '../lib/labels.js';
import type { NetworkSpec } from './spec.js';

// Which environments host a cluster. Each XK8treCluster composes a Usage of its network while its
// AKS cluster exists (cluster/usages.ts), labelled with the network and its environment; the
// network reads those, small and one per cluster, rather than every cluster XR. Removing an
// environment deletes its spoke, peerings, routes and DNS zone, which under a running cluster
// cuts it off (and Azure refuses to delete a subnet its nodes are in, so the spoke hangs half
// deleted): it is refused until the cluster is deleted. A cluster reads them too: an environment
// has one cluster, which its spoke's node and API server subnets and its names are made for.

const REQUIREMENT = 'hosted-clusters';

/** The Usages of XK8treNetwork `namespace`/`network`: asked for by the network, and by each of its clusters to see the others. */
export function hostedClustersRequirement(namespace: string, network: string): ResourceRequirement {
  return { name: REQUIREMENT, ...Usage.GVK, namespace, matchLabels: { [LABEL_NETWORK]: network } };
}

/**
 * Clusters by environment, from their Usages; undefined until Crossplane has fetched them (the
 * first call of a reconcile), so that "not fetched" is never read as "none".
 */
export function readHostedClusters(required: ReadonlyMap<string, readonly JsonObject[]>): Map<string, string[]> | undefined {
  const usages = required.get(REQUIREMENT);
  if (usages === undefined) return undefined;
  const hosted = new Map<string, string[]>();
  for (const usage of usages) {
    const environment = dig(usage, 'metadata', 'labels', LABEL_ENVIRONMENT);
    const cluster = dig(usage, 'metadata', 'labels', LABEL_CLUSTER);
    if (typeof environment !== 'string') continue;
    hosted.set(environment, [...(hosted.get(environment) ?? []), typeof cluster === 'string' ? cluster : String(dig(usage, 'metadata', 'name'))]);
  }
  return hosted;
}

export function checkHostedEnvironmentsKept(spec: NetworkSpec, removed: readonly string[], hosted: ReadonlyMap<string, string[]>): void {
  for (const env of removed) {
    const clusters = hosted.get(env);
    if (!clusters?.length) continue;
    throw new FieldError(
      'spec.environments',
      `environment ${env} is removed, but XK8treCluster ${clusters.map((c) => `${spec.namespace}/${c}`).join(', ')} lives in its spoke; ` +
        'removing it would delete the spoke, its peerings and DNS under the running cluster. Delete the cluster first, then the environment',
    );
  }
}
