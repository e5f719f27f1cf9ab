export { API_VERSION } from '../network/api.js';

// The XRD between a cluster and its monitoring, composed by XK8treCluster, never by people. The
// cluster writes what its network's monitoring published (the workspaces, the Prometheus rule and
// the action group) and the IDs of what it monitors (its AKS cluster, Key Vault and storage
// accounts); the monitoring XR composes the associations, Container Insights, the diagnostic
// settings and the alerts. The cluster so stays within the tree's bound (identity/tree.ts).

export const KIND = 'XK8treClusterMonitoring';
export const PLURAL = 'xk8treclustermonitorings';

export const enums = {
  /** Container Insights' namespace filter (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable#log-configuration-file). */
  namespaceFilteringMode: ['Off', 'Include', 'Exclude'],
} as const;

export const limits = {
  /** How often Container Insights collects inventory and metrics, in minutes: 1 to 30 (same page). */
  collectionIntervalMinutes: { min: 1, max: 30 },
  /** Namespaces named in the filter. */
  namespaces: { min: 0, max: 100 },
} as const;

export const defaults = {
  // Microsoft's "cost-optimized" preset: every 5 minutes, and not the namespaces of AKS's own
  // add-ons (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable#configuration-options).
  collectionIntervalMinutes: 5,
  namespaceFilteringMode: 'Exclude',
  namespaces: ['kube-system', 'gatekeeper-system', 'azure-arc'],
} as const;
