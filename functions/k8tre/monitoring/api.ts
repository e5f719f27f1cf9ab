export { API_VERSION } from '../network/api.js';

// The XRD between a network and its monitoring, composed by XK8treNetwork, never by people. The
// network decides every name and setting and writes them into the spec (contract.ts); the
// monitoring XR composes the Log Analytics workspace, the Azure Monitor workspace with its
// Prometheus data collection, the action group, and the gateways' diagnostics and alerts, and
// reports their IDs, which the network publishes to its clusters. The network so stays within
// the tree's bound (spoke/tree.ts) however much monitoring grows.

export const KIND = 'XK8treMonitoring';
export const PLURAL = 'xk8tremonitorings';

export const limits = {
  /** The provider's range for a PerGB2018 workspace (https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure). */
  retentionDays: { min: 30, max: 730 },
  /** Daily ingestion cap in GB; unset, no cap. */
  dailyQuotaGb: { min: 1, max: 100_000 },
  /** Azure allows 1,000 email and 10 webhook receivers per action group (https://learn.microsoft.com/azure/azure-monitor/service-limits#action-groups). */
  emailReceivers: { min: 0, max: 50 },
  webhookReceivers: { min: 0, max: 10 },
  /** Entra groups per Grafana role: each is one role assignment in the monitoring XR, which stays within the tree's bound. */
  grafanaGroups: { min: 0, max: 10 },
} as const;

/** Managed Grafana's current major version (the provider takes 11 or 12). */
export const GRAFANA_MAJOR_VERSION = '12';

export const defaults = {
  /** The 31 days Log Analytics includes in the ingestion price, as its default of 30 rounds to. */
  retentionInDays: 30,
} as const;

/** Receivers: an email address of at most 64 characters (action-groups limits), an https webhook. */
export const patterns = {
  email: { pattern: /^[^@\s]{1,62}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, describe: 'an email address of at most 64 characters', maxLength: 64 },
  webhook: { pattern: /^https:\/\/[^\s]+$/, describe: 'an https:// URL', maxLength: 2048 },
  groupObjectId: { pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, describe: 'an Entra group object ID (a GUID)' },
} as const;
