import { FieldError } from '../lib/field-error.js';
import type { Observed } from '../lib/observed.js';
import { SUPPORTED_MINORS, unsupportedReason } from './aks-versions.js';
import { keys } from './naming.js';
import type { ClusterSpec } from './spec.js';

/**
 * A new cluster, or a change of minor, must use a minor AKS supports. A cluster already
 * running a minor past its end of life keeps reconciling (refusing would stop every other
 * change too) with a warning that names the date and the way out: from an unsupported minor
 * AKS lets a cluster go straight to the lowest supported one
 * (https://learn.microsoft.com/azure/aks/supported-kubernetes-versions, "Can I skip multiple
 * AKS versions during a cluster upgrade?").
 *
 * Returns the warnings to report.
 */
export function checkKubernetesVersion(spec: ClusterSpec, observed: Observed): string[] {
  const reason = unsupportedReason(spec.kubernetesVersion);
  if (!reason) return [];
  const inForce = observed.forProvider(keys.cluster, 'kubernetesVersion');
  if (inForce === spec.kubernetesVersion) {
    return [`spec.kubernetesVersion: ${reason}. Upgrade the cluster to ${SUPPORTED_MINORS[0]}; from an unsupported minor AKS allows that step directly`];
  }
  throw new FieldError('spec.kubernetesVersion', reason);
}
