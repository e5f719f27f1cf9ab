import { MonitorAlertPrometheusRuleGroup } from '../../../imports/alertsmanagement.azure.m.upbound.io.js';
import {
  MonitorDataCollectionRule,
  MonitorDataCollectionRuleAssociation,
  MonitorDiagnosticSetting,
  MonitorMetricAlert,
} from '../../../imports/insights.azure.m.upbound.io.js';
import { clusterChildStamp } from '../cluster/child-contract.js';
import * as contract from '../lib/contract.js';
import type { ComposeInput, Composition, DesiredResources } from '../lib/composition.js';
import { compact } from '../lib/json.js';
import { render } from '../lib/manifest.js';
import { ownSpec } from '../lib/own-spec.js';
import { meta, refTo, type Stamp } from '../lib/stamp.js';
import { clusterMonitoringSpecContract, type ClusterMonitoringSpec } from './contract.js';
import { CERTIFICATE_RULES } from './certificate-alerts.js';
import { RECOMMENDED_RULE_GROUPS, type RecommendedRule, type RuleGroupLevel } from './recommended-alerts.js';

// A cluster's side of its network's monitoring (the AKS baseline's platform monitoring):
// - its managed Prometheus metrics, through the network's data collection rule;
// - Container Insights: container logs, events and pod inventory, filtered for cost;
// - diagnostic settings for the control plane, the Key Vault and the storage accounts;
// - Microsoft's recommended Prometheus alert rules and two platform alerts, to the action group.
// The cluster enables the AKS side (monitorMetrics, omsAgent, Defender) itself (cluster/monitoring.ts).

export const keys = {
  prometheusAssociation: 'prometheus-association',
  containerInsightsRule: 'container-insights-rule',
  containerInsightsAssociation: 'container-insights-association',
  aksDiagnostics: 'aks-diagnostics',
  keyVaultDiagnostics: 'key-vault-diagnostics',
  storageDiagnostics: (purpose: string, service: StorageLogService) => `storage-diagnostics-${purpose}-${service}`,
  prometheusRules: (level: RuleGroupLevel) => `prometheus-rules-${level.toLowerCase()}`,
  certificateRules: 'prometheus-rules-certificates',
  nodeReadinessAlert: 'alert-node-readiness',
  keyVaultAvailabilityAlert: 'alert-key-vault-availability',
} as const;

/**
 * The control-plane logs worth their cost: the audit log without get and list (kube-audit-admin),
 * Entra sign-ins (guard), the API server and the autoscaler. The full kube-audit log is many
 * times larger (https://learn.microsoft.com/azure/aks/monitor-aks#aks-control-planeresource-logs).
 */
export const AKS_LOGS = ['kube-audit-admin', 'guard', 'kube-apiserver', 'cluster-autoscaler'] as const;

/** Storage logs live on each service, not the account (https://learn.microsoft.com/azure/storage/blobs/monitor-blob-storage). */
export const STORAGE_LOG_SERVICES = ['blob', 'file', 'queue', 'table'] as const;
type StorageLogService = (typeof STORAGE_LOG_SERVICES)[number];
export const STORAGE_LOGS = ['StorageRead', 'StorageWrite', 'StorageDelete'] as const;

/**
 * Container Insights' "Logs and Events" streams, which Microsoft recommends beside managed
 * Prometheus: the metrics come from Prometheus, so the Perf and inventory tables would pay twice
 * (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable#configuration-options).
 */
export const CONTAINER_INSIGHTS_STREAMS = ['Microsoft-ContainerLogV2', 'Microsoft-KubeEvents', 'Microsoft-KubePodInventory'] as const;

/** The association names Microsoft's templates use; an association is a child of the cluster, so they need be unique only there. */
const ASSOCIATION_NAMES = { prometheus: 'k8tre-prometheus', containerInsights: 'ContainerInsightsExtension' } as const;
const DIAGNOSTICS_NAME = 'k8tre-diagnostics';
const WORKSPACE_DESTINATION = 'ciworkspace';

export function composeClusterMonitoringXr({ xr, observed }: ComposeInput): Composition {
  const spec = contract.read(clusterMonitoringSpecContract, ownSpec(xr), 'spec');
  const stamp = clusterChildStamp(xr, spec, '');
  const desired: DesiredResources = new Map();
  composeCollection(spec, stamp, desired);
  composeDiagnostics(spec, stamp, desired);
  if (spec.alerts) composeAlerts(spec, stamp, desired);
  return {
    resources: desired,
    status: compact({ containerInsightsRuleId: observed.atProvider(keys.containerInsightsRule, 'id') }),
    // Always sent: Crossplane keeps a condition the function stops sending.
    conditions: [{ type: 'Composed', ready: true, reason: 'AllComposed' }],
  };
}

function composeCollection(spec: ClusterMonitoringSpec, stamp: Stamp, desired: DesiredResources): void {
  const { providerConfigRef } = spec;
  desired.set(
    keys.prometheusAssociation,
    render(MonitorDataCollectionRuleAssociation, {
      metadata: meta(stamp, keys.prometheusAssociation, { azureName: ASSOCIATION_NAMES.prometheus }),
      spec: {
        providerConfigRef,
        // By ID: the association's targetResourceIdRef resolves virtual machines only.
        forProvider: { targetResourceId: spec.aks.id, dataCollectionRuleId: spec.prometheusRuleId, description: 'Managed Prometheus metrics of this cluster' },
      },
    }),
  );
  const insights = spec.containerInsights;
  if (!insights) return;
  const streams = [...CONTAINER_INSIGHTS_STREAMS];
  desired.set(
    keys.containerInsightsRule,
    render(MonitorDataCollectionRule, {
      metadata: meta(stamp, keys.containerInsightsRule, { azureName: insights.ruleName }),
      spec: {
        providerConfigRef,
        forProvider: {
          // In the workspace's region, which is the network's, as the cluster's (Microsoft's onboarding template).
          location: spec.region,
          resourceGroupName: spec.resourceGroupName,
          description: 'Container Insights for this cluster',
          destinations: { logAnalytics: [{ name: WORKSPACE_DESTINATION, workspaceResourceId: spec.logAnalyticsWorkspaceId }] },
          dataFlow: [{ streams, destinations: [WORKSPACE_DESTINATION] }],
          dataSources: {
            extension: [
              {
                name: 'ContainerInsightsExtension',
                extensionName: 'ContainerInsights',
                streams,
                extensionJson: JSON.stringify({
                  dataCollectionSettings: {
                    interval: `${insights.intervalMinutes}m`,
                    namespaceFilteringMode: insights.namespaceFilteringMode,
                    ...(insights.namespaceFilteringMode !== 'Off' && { namespaces: [...insights.namespaces] }),
                    enableContainerLogV2: true,
                  },
                }),
              },
            ],
          },
          tags: { ...spec.tags },
        },
      },
    }),
  );
  desired.set(
    keys.containerInsightsAssociation,
    render(MonitorDataCollectionRuleAssociation, {
      metadata: meta(stamp, keys.containerInsightsAssociation, { azureName: ASSOCIATION_NAMES.containerInsights }),
      spec: {
        providerConfigRef,
        forProvider: {
          targetResourceId: spec.aks.id,
          dataCollectionRuleIdRef: refTo(stamp, keys.containerInsightsRule),
          description: 'Container Insights of this cluster',
        },
      },
    }),
  );
}

/** Target and workspace by ID: a diagnostic setting has no reference fields. */
function composeDiagnostics(spec: ClusterMonitoringSpec, stamp: Stamp, desired: DesiredResources): void {
  const setting = (key: string, targetResourceId: string, logs: readonly string[], dedicated: boolean) =>
    desired.set(
      key,
      render(MonitorDiagnosticSetting, {
        metadata: meta(stamp, key),
        spec: {
          providerConfigRef: spec.providerConfigRef,
          forProvider: {
            name: DIAGNOSTICS_NAME,
            targetResourceId,
            logAnalyticsWorkspaceId: spec.logAnalyticsWorkspaceId,
            // Resource-specific tables where the service has them; Key Vault and storage answer
            // without a destination type, so setting one would never settle (azure-rest-api-specs#9281).
            ...(dedicated && { logAnalyticsDestinationType: 'Dedicated' }),
            enabledLog: logs.map((category) => ({ category })),
            enabledMetric: [{ category: 'AllMetrics' }],
          },
        },
      }),
    );
  setting(keys.aksDiagnostics, spec.aks.id, AKS_LOGS, true);
  if (spec.keyVault) setting(keys.keyVaultDiagnostics, spec.keyVault.id, ['AuditEvent'], false);
  for (const account of spec.storageAccounts) {
    for (const service of STORAGE_LOG_SERVICES) {
      setting(keys.storageDiagnostics(account.purpose, service), `${account.id}/${service}Services/default`, STORAGE_LOGS, false);
    }
  }
}

function composeAlerts(spec: ClusterMonitoringSpec, stamp: Stamp, desired: DesiredResources): void {
  const { providerConfigRef } = spec;
  const action = { actionGroupId: spec.actionGroupId };
  const ruleGroup = (key: string, azureName: string, description: string, rules: readonly RecommendedRule[]) =>
    desired.set(
      key,
      render(MonitorAlertPrometheusRuleGroup, {
        metadata: meta(stamp, key, { azureName }),
        spec: {
          providerConfigRef,
          forProvider: {
            // In the cluster's region, scoped to the workspace and the cluster (Microsoft's template).
            location: spec.region,
            resourceGroupName: spec.resourceGroupName,
            clusterName: spec.aks.name,
            description,
            scopes: [spec.monitorWorkspaceId, spec.aks.id],
            interval: 'PT1M',
            // azurerm sends false for an unset flag, so both are written out (its prometheus rule group resource).
            ruleGroupEnabled: true,
            rule: rules.map((rule) => ({
              alert: rule.alert,
              expression: rule.expression,
              for: rule.for,
              severity: rule.severity,
              enabled: true,
              labels: { severity: 'warning' },
              annotations: { description: rule.description },
              alertResolution: { autoResolved: true, timeToResolve: rule.timeToResolve },
              action: [action],
            })),
            tags: { ...spec.tags },
          },
        },
      }),
    );
  for (const [level, rules] of Object.entries(RECOMMENDED_RULE_GROUPS) as [RuleGroupLevel, (typeof RECOMMENDED_RULE_GROUPS)[RuleGroupLevel]][]) {
    ruleGroup(
      keys.prometheusRules(level),
      `${spec.aks.name}-recommended-${level.toLowerCase()}`,
      `Microsoft's recommended ${level.toLowerCase()}-level alerts for ${spec.aks.name}`,
      rules,
    );
  }
  if (spec.certificateAlerts) {
    ruleGroup(keys.certificateRules, `${spec.aks.name}-certificates`, `The gateway certificates cert-manager on ${spec.aks.name} issues`, CERTIFICATE_RULES);
  }
  // Nodes not ready, from the platform metric, which needs no agent in the cluster: the Azure
  // Monitor baseline alert (https://azure.github.io/azure-monitor-baseline-alerts/services/ContainerService/managedClusters/).
  desired.set(
    keys.nodeReadinessAlert,
    render(MonitorMetricAlert, {
      metadata: meta(stamp, keys.nodeReadinessAlert, { azureName: `${spec.aks.name}-nodes-not-ready` }),
      spec: {
        providerConfigRef,
        forProvider: {
          resourceGroupName: spec.resourceGroupName,
          description: `A node of ${spec.aks.name} is not ready`,
          scopes: [spec.aks.id],
          severity: 3,
          frequency: 'PT1M',
          windowSize: 'PT5M',
          criteria: [
            {
              metricNamespace: 'Microsoft.ContainerService/managedClusters',
              metricName: 'kube_node_status_condition',
              aggregation: 'Total',
              operator: 'GreaterThan',
              threshold: 0,
              dimension: [{ name: 'status2', operator: 'Include', values: ['NotReady', 'Unknown'] }],
            },
          ],
          action: [action],
          tags: { ...spec.tags },
        },
      },
    }),
  );
  if (!spec.keyVault) return;
  // The vault answers fewer than 90% of requests: the Azure Monitor baseline alert
  // (https://azure.github.io/azure-monitor-baseline-alerts/services/KeyVault/vaults/).
  desired.set(
    keys.keyVaultAvailabilityAlert,
    render(MonitorMetricAlert, {
      metadata: meta(stamp, keys.keyVaultAvailabilityAlert, { azureName: `${spec.aks.name}-key-vault-availability` }),
      spec: {
        providerConfigRef,
        forProvider: {
          resourceGroupName: spec.resourceGroupName,
          description: `The Key Vault of ${spec.aks.name} answers fewer than 90% of requests`,
          scopes: [spec.keyVault.id],
          severity: 1,
          frequency: 'PT1M',
          windowSize: 'PT5M',
          criteria: [{ metricNamespace: 'Microsoft.KeyVault/vaults', metricName: 'Availability', aggregation: 'Average', operator: 'LessThan', threshold: 90 }],
          action: [action],
          tags: { ...spec.tags },
        },
      },
    }),
  );
}
