import { Usage } from '../../../imports/protection.crossplane.io.js';
import type { DesiredResources } from '../lib/composition.js';
import { render, type Manifest } from '../lib/manifest.js';
import { meta, refTo, type Stamp } from '../lib/stamp.js';
import { GROUP, KIND as NETWORK_KIND, VERSION } from '../network/api.js';
import { LABEL_NETWORK } from '../lib/labels.js';
import { keys } from './naming.js';
import type { ClusterSpec } from './spec.js';

// Deletion order. When an XK8treCluster is deleted Crossplane deletes everything it composed at
// once; without these, the AKS cluster, or the role and identity Secret the providers reach it
// with, can go first, leaving Helm releases that can never be uninstalled and an AKS deletion
// that fails for want of its network permissions. A Usage blocks deleting `of` while `by`
// exists, and replays the deletion once `by` is gone.

interface Dependency {
  readonly by: string;
  readonly of: string;
  readonly why: string;
}

const RELEASES = [keys.cilium, keys.argocdRelease] as const;

const DEPENDENCIES: readonly Dependency[] = [
  ...RELEASES.flatMap((release) => [
    { by: release, of: keys.cluster, why: 'the release is uninstalled from the cluster' },
    { by: release, of: keys.providerAdminRole, why: 'provider-helm needs its cluster role to uninstall the release' },
    { by: release, of: keys.inClusterIdentity, why: 'provider-helm authenticates with this identity to uninstall the release' },
  ]),
  { by: keys.cluster, of: keys.controlPlaneIdentity, why: 'AKS deletes its load balancers and NICs as this identity' },
  { by: keys.cluster, of: keys.controlPlaneNetworkRole, why: 'AKS needs Network Contributor on the spoke to clean it up' },
  { by: keys.cluster, of: keys.controlPlaneDnsRole, why: 'AKS removes its private DNS record with this role' },
];

const usageKey = (by: string, of: string) => `usage-${of}-by-${by}`;

interface Reference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly resourceRef: { readonly name: string };
}

const reference = (stamp: Stamp, key: string, manifest: Manifest): Reference => ({
  apiVersion: manifest.apiVersion,
  kind: manifest.kind,
  resourceRef: refTo(stamp, key),
});

/**
 * Usages between the resources composed so far (a pair is guarded once both are desired), and
 * one that keeps the cluster's XK8treNetwork while the AKS cluster exists. `by` is never the XR
 * itself: a composed Usage waits for its user to be gone, which under foreground deletion of
 * the XR would wait forever.
 */
export function composeUsages(spec: ClusterSpec, stamp: Stamp, desired: DesiredResources): void {
  const usages = new Map<string, Manifest>();
  for (const { by, of, why } of DEPENDENCIES) {
    const user = desired.get(by);
    const used = desired.get(of);
    if (user && used) usages.set(usageKey(by, of), usage(stamp, usageKey(by, of), reference(stamp, by, user), reference(stamp, of, used), why));
  }
  const cluster = desired.get(keys.cluster);
  if (cluster) {
    const network: Reference = { apiVersion: `${GROUP}/${VERSION}`, kind: NETWORK_KIND, resourceRef: { name: spec.networkName } };
    // Labelled with the network, which reads these to know which environments host clusters.
    const key = usageKey(keys.cluster, 'network');
    usages.set(
      key,
      usage(stamp, key, reference(stamp, keys.cluster, cluster), network, 'the cluster lives in its spoke', { [LABEL_NETWORK]: spec.networkName }),
    );
  }
  for (const [key, manifest] of usages) desired.set(key, manifest);
}

function usage(stamp: Stamp, key: string, by: Reference, of: Reference, reason: string, labels: Record<string, string> = {}): Manifest {
  return render(Usage, { metadata: meta(stamp, key, { labels }), spec: { by, of, reason, replayDeletion: true } });
}
