import { API_VERSION, defaults, enums, KIND, limits } from '../cluster-monitoring/api.js';
import type { ClusterMonitoringSpec } from '../cluster-monitoring/contract.js';
import type { DesiredResources } from '../lib/composition.js';
import type { Outcome } from '../lib/waits.js';
import { composedGates } from './gates.js';
import { FieldError } from '../lib/field-error.js';
import { LABEL_CLUSTER } from '../lib/labels.js';
import type { Observed } from '../lib/observed.js';
import { SpecReader, stringItem } from '../lib/spec-reader.js';
import { patterns } from './api.js';
import type { DataStores } from './data-stores.js';
import { azureNames, keys, STORAGE_PURPOSES } from './naming.js';
import { describeNetwork, type NetworkFacts, type MonitoringIds } from './network-input.js';
import type { ClusterSpec } from './spec.js';
import type { Stamp } from '../lib/stamp.js';
import { definedFields } from '../lib/records.js';

// A cluster's monitoring, sent to what its network's monitoring composed (network/monitoring.ts):
// the AKS side (managed Prometheus, Container Insights, Defender for Containers) on the cluster
// itself, and the rest in an XK8treClusterMonitoring (cluster-monitoring/). Unset, a cluster
// follows its network; asked for where the network has none, it is refused, naming the field.

export interface MonitoringSettings {
  /** Unset: on where the network has monitoring. */
  readonly enabled?: boolean;
  /** Absent when turned off. */
  readonly containerInsights?: { readonly intervalMinutes: number; readonly namespaceFilteringMode: string; readonly namespaces: readonly string[] };
  readonly alerts: boolean;
}

export function parseMonitoring(spec: SpecReader): MonitoringSettings {
  const monitoring = spec.object('monitoring') ?? SpecReader.root({}, 'spec.monitoring');
  const insights = monitoring.object('containerInsights') ?? SpecReader.root({}, 'spec.monitoring.containerInsights');
  return definedFields<MonitoringSettings>({
    enabled: monitoring.has('enabled') ? monitoring.boolean('enabled', true) : undefined,
    containerInsights: insights.boolean('enabled', true)
      ? {
          intervalMinutes: insights.integer('intervalMinutes', limits.collectionIntervalMinutes, defaults.collectionIntervalMinutes),
          namespaceFilteringMode: insights.oneOf('namespaceFilteringMode', enums.namespaceFilteringMode, defaults.namespaceFilteringMode),
          namespaces: insights.list('namespaces', limits.namespaces, stringItem(patterns.kubernetesName)) ?? [...defaults.namespaces],
        }
      : undefined,
    alerts: monitoring.boolean('alerts', true),
  });
}

/** What the cluster monitors with: its network's monitoring, unless it opts out. Throws where it asks for what the network lacks. */
export function resolveMonitoring(spec: ClusterSpec, network: NetworkFacts): MonitoringIds | undefined {
  const refuse = (field: string, what: string) =>
    new FieldError(
      field,
      `is true, but ${describeNetwork(spec)} has no monitoring (its spec.monitoring.enabled is false) to send ${what} to. Turn it on there, or set this to false`,
    );
  if (!network.monitoring) {
    if (spec.monitoring.enabled === true) throw refuse('spec.monitoring.enabled', 'metrics and logs');
    if (spec.security.defender === true) throw refuse('spec.security.defender', "Defender for Containers' findings");
    return undefined;
  }
  return spec.monitoring.enabled === false ? undefined : network.monitoring;
}

/**
 * The AKS cluster's own monitoring fields: managed Prometheus (monitorMetrics), Container
 * Insights through its managed identity (omsAgent), and Defender for Containers, which needs a
 * workspace and so follows the network's unless turned off.
 */
export function aksMonitoring(spec: ClusterSpec, network: NetworkFacts, monitoring: MonitoringIds | undefined): Record<string, unknown> {
  const defender = spec.security.defender !== false && network.monitoring;
  return definedFields<Record<string, unknown>>({
    // Both allow-lists written out, empty: the block's presence is what enables the add-on, and
    // an empty object may not survive the provider's conversion (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable#optional-parameters).
    monitorMetrics: monitoring ? { annotationsAllowed: '', labelsAllowed: '' } : undefined,
    omsAgent:
      monitoring && spec.monitoring.containerInsights
        ? { logAnalyticsWorkspaceId: monitoring.logAnalyticsWorkspaceId, msiAuthForMonitoringEnabled: true }
        : undefined,
    // https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-enable
    microsoftDefender: defender ? { logAnalyticsWorkspaceId: defender.logAnalyticsWorkspaceId } : undefined,
  });
}

/** The cluster's XK8treClusterMonitoring, once Azure has reported the AKS cluster's ID. Turning monitoring off drops it, and only settings and rules go. */
export function composeClusterMonitoring(
  spec: ClusterSpec,
  stamp: Stamp,
  monitoring: MonitoringIds | undefined,
  stores: DataStores,
  /** cert-manager here issues the network gateway's certificates (network/certificates.ts). */
  issuesGatewayCertificates: boolean,
  observed: Observed,
  desired: DesiredResources,
): Outcome {
  if (!monitoring) return { waits: [] };
  const aksId = observed.atProvider(keys.cluster, 'id');
  if (!aksId) return { waits: [composedGates.aksIdForMonitoring()] };
  const insights = spec.monitoring.containerInsights;
  const monitoringSpec: ClusterMonitoringSpec = {
    cluster: spec.name,
    region: stamp.region,
    providerConfigRef: { ...spec.providerConfigRef },
    tags: { ...stamp.tags },
    resourceGroupName: spec.resourceGroupName,
    aks: { name: azureNames.cluster(spec), id: aksId },
    ...monitoring,
    ...(insights && { containerInsights: { ruleName: azureNames.containerInsightsRule(spec), ...insights, namespaces: [...insights.namespaces] } }),
    alerts: spec.monitoring.alerts,
    ...(spec.monitoring.alerts && issuesGatewayCertificates && { certificateAlerts: true }),
    ...(stores.keyVaultId && { keyVault: { id: stores.keyVaultId } }),
    storageAccounts: STORAGE_PURPOSES.flatMap((purpose) => {
      const id = stores.storageIds[purpose];
      return id ? [{ purpose, id }] : [];
    }),
  };
  desired.set(keys.monitoring, {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: `${spec.name}-${keys.monitoring}`, labels: { [LABEL_CLUSTER]: spec.name } },
    spec: monitoringSpec,
  });
  return { waits: [] };
}
