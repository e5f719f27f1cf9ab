import {
  MonitorActionGroup,
  MonitorDataCollectionEndpoint,
  MonitorDataCollectionRule,
  MonitorDiagnosticSetting,
  MonitorMetricAlert,
  MonitorWorkspace,
} from '../../../imports/insights.azure.m.upbound.io.js';
import { Workspace } from '../../../imports/operationalinsights.azure.m.upbound.io.js';
import { Grafana } from '../../../imports/dashboard.azure.m.upbound.io.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { GRAFANA_MAJOR_VERSION } from './api.js';
import * as contract from '../lib/contract.js';
import type { ComposeInput, Composition, DesiredResources, XrCondition } from '../lib/composition.js';
import { gatedCondition, gates, type Outcome, type Wait } from '../lib/waits.js';
import { childStamp } from '../lib/child-fields.js';
import { compact, digString } from '../lib/json.js';
import { LABEL_NETWORK } from '../lib/labels.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { ownSpec } from '../lib/own-spec.js';
import { meta, refTo, type Stamp } from '../lib/stamp.js';
import { monitoringSpecContract, type MonitoringSpec, type MonitoringStatus } from './contract.js';

// A network's monitoring, kept apart from what researchers run (the AKS baseline's platform
// monitoring): a Log Analytics workspace for logs and diagnostics, an Azure Monitor workspace for
// managed Prometheus with the endpoint and rule every cluster is associated with, an action group,
// and for each Application Gateway its access and firewall logs and an alert on unhealthy backends.
//
// Ingestion and queries stay public: private ingestion needs an Azure Monitor Private Link Scope,
// which no pinned CRD composes, and without one turning them off stops the agents' uploads and
// the portal's queries (https://learn.microsoft.com/azure/azure-monitor/logs/private-link-design).
// Diagnostic settings reach the workspace over Azure's own channel either way.

export const keys = {
  logAnalytics: 'log-analytics',
  monitorWorkspace: 'monitor-workspace',
  prometheusEndpoint: 'prometheus-endpoint',
  prometheusRule: 'prometheus-rule',
  actionGroup: 'action-group',
  gatewayDiagnostics: (gateway: string) => `diagnostics-${gateway}`,
  gatewayUnhealthyBackends: (gateway: string) => `alert-${gateway}-unhealthy-backends`,
  grafana: 'grafana',
  grafanaPrometheusReader: 'grafana-monitoring-data-reader',
  grafanaLogsReader: 'grafana-log-analytics-reader',
  /** By the group's object ID, so that reordering the XR's list moves no assignment. */
  grafanaGroupRole: (role: 'admin' | 'viewer', group: string) => `grafana-${role}-${group.toLowerCase()}`,
} as const;

/**
 * What Grafana's own identity reads: Prometheus metrics from the Azure Monitor workspace, logs from
 * Log Analytics; and the roles its users get, from their Entra groups
 * (https://learn.microsoft.com/azure/managed-grafana/how-to-permissions,
 * https://learn.microsoft.com/azure/managed-grafana/how-to-manage-access-permissions-users-identities).
 */
const GRAFANA_ROLES = {
  prometheusReader: 'Monitoring Data Reader',
  logsReader: 'Log Analytics Reader',
  admin: 'Grafana Admin',
  viewer: 'Grafana Viewer',
} as const;

/** The Application Gateway v2 logs worth keeping: requests and the WAF's verdicts (the performance log is v1's only). */
export const GATEWAY_LOGS = ['ApplicationGatewayAccessLog', 'ApplicationGatewayFirewallLog'] as const;

/** The names Microsoft's managed Prometheus templates give the rule's destination and source (Azure/prometheus-collector AddonTerraformTemplate). */
const PROMETHEUS_STREAM = 'Microsoft-PrometheusMetrics';
const MONITOR_ACCOUNT = 'MonitoringAccount1';

/** What an XK8treMonitoring waits for (lib/waits.ts; test/function/gates.test.ts shuts each). */
export const monitoringGates = gates('monitoring', 'Composed', {
  monitorWorkspaceForPrometheus: () => "the Azure Monitor workspace's ID, for the Prometheus rule",
  logAnalyticsForGateways: () => "the Log Analytics workspace's ID, for the gateways' diagnostics",
  monitorWorkspaceForGrafana: () => "the Azure Monitor workspace's ID, for Grafana",
  grafanaIdentity: () => "Grafana's identity and ID, for its roles",
});

export function composeMonitoringXr({ xr, observed }: ComposeInput): Composition {
  const spec = contract.read(monitoringSpecContract, ownSpec(xr), 'spec');
  const stamp = childStamp(xr, spec, { [LABEL_NETWORK]: spec.network });
  const desired: DesiredResources = new Map();
  const { status, waits } = composeMonitoring(spec, stamp, observed, desired);
  // Always sent: Crossplane keeps a condition the function stops sending, so a Composed=False
  // left from a wait would stand beside Ready=True once nothing waits (the e2e converge saw it).
  const conditions: XrCondition[] = [gatedCondition('Composed', waits)];
  return { resources: desired, status, conditions };
}

/**
 * Managed Grafana (off by default), on the Azure Monitor workspace, with Entra ID sign-in only (no
 * API keys). Its endpoint stays public: a private one needs a private endpoint and DNS zone for
 * Grafana, which the network does not compose, and operators reach it from their own networks.
 */
function composeGrafana(
  spec: MonitoringSpec,
  grafana: NonNullable<MonitoringSpec['grafana']>,
  stamp: Stamp,
  observed: Observed,
  workspaces: { logAnalyticsId?: string; monitorWorkspaceId?: string },
  desired: DesiredResources,
): Wait[] {
  const { logAnalyticsId } = workspaces;
  // The integration names the workspace by ID only; a reconcile that does not see it keeps what Grafana has.
  const integrated = observed.forProvider(keys.grafana, 'azureMonitorWorkspaceIntegrations');
  const monitorWorkspaceId = workspaces.monitorWorkspaceId ?? (Array.isArray(integrated) ? digString(integrated[0], 'resourceId') : undefined);
  if (!monitorWorkspaceId) return [monitoringGates.monitorWorkspaceForGrafana()];
  desired.set(
    keys.grafana,
    render(Grafana, {
      metadata: meta(stamp, keys.grafana, { azureName: grafana.name }),
      spec: {
        providerConfigRef: spec.providerConfigRef,
        forProvider: {
          location: spec.region,
          resourceGroupName: spec.resourceGroupName,
          tags: { ...spec.tags },
          sku: 'Standard',
          grafanaMajorVersion: GRAFANA_MAJOR_VERSION,
          apiKeyEnabled: false,
          identity: { type: 'SystemAssigned' },
          azureMonitorWorkspaceIntegrations: [{ resourceId: monitorWorkspaceId }],
          publicNetworkAccessEnabled: true,
        },
      },
    }),
  );
  const principalId = observed.atProviderPath(keys.grafana, 'identity', 'principalId');
  const grafanaId = observed.atProvider(keys.grafana, 'id');
  if (!principalId || !grafanaId) return [monitoringGates.grafanaIdentity()];
  const grant = (key: string, role: string, scope: string | undefined, principal: string, principalType: 'ServicePrincipal' | 'Group', why: string) => {
    if (scope) desired.set(key, roleAssignment(stamp, { key, role, scope, principalId: principal, principalType, why }));
  };
  grant(keys.grafanaPrometheusReader, GRAFANA_ROLES.prometheusReader, monitorWorkspaceId, principalId, 'ServicePrincipal', 'Grafana reads managed Prometheus');
  grant(keys.grafanaLogsReader, GRAFANA_ROLES.logsReader, logAnalyticsId, principalId, 'ServicePrincipal', 'Grafana reads the platform logs');
  for (const group of grafana.adminGroupObjectIds)
    grant(keys.grafanaGroupRole('admin', group), GRAFANA_ROLES.admin, grafanaId, group, 'Group', 'Grafana admins');
  for (const group of grafana.viewerGroupObjectIds)
    grant(keys.grafanaGroupRole('viewer', group), GRAFANA_ROLES.viewer, grafanaId, group, 'Group', 'Grafana viewers');
  return [];
}

function composeMonitoring(spec: MonitoringSpec, stamp: Stamp, observed: Observed, desired: DesiredResources): Outcome<{ status: MonitoringStatus }> {
  const { providerConfigRef } = spec;
  const placed = { location: spec.region, resourceGroupName: spec.resourceGroupName, tags: { ...spec.tags } };
  const waits: Wait[] = [];

  if (!spec.logAnalytics.existingId) {
    desired.set(
      keys.logAnalytics,
      render(Workspace, {
        metadata: meta(stamp, keys.logAnalytics, { azureName: spec.logAnalytics.name }),
        spec: {
          providerConfigRef,
          forProvider: {
            sku: 'PerGB2018',
            retentionInDays: spec.logAnalytics.retentionInDays,
            ...(spec.logAnalytics.dailyQuotaGb !== undefined && { dailyQuotaGb: spec.logAnalytics.dailyQuotaGb }),
            internetIngestionEnabled: true,
            internetQueryEnabled: true,
            ...placed,
          },
        },
      }),
    );
  }
  if (!spec.monitorWorkspace.existingId) {
    desired.set(
      keys.monitorWorkspace,
      render(MonitorWorkspace, {
        metadata: meta(stamp, keys.monitorWorkspace, { azureName: spec.monitorWorkspace.name }),
        spec: { providerConfigRef, forProvider: { publicNetworkAccessEnabled: true, ...placed } },
      }),
    );
  }
  desired.set(
    keys.prometheusEndpoint,
    render(MonitorDataCollectionEndpoint, {
      metadata: meta(stamp, keys.prometheusEndpoint, { azureName: spec.prometheus.endpointName }),
      spec: {
        providerConfigRef,
        forProvider: { kind: 'Linux', publicNetworkAccessEnabled: true, description: 'Managed Prometheus ingestion for the network’s clusters', ...placed },
      },
    }),
  );

  const logAnalyticsId = spec.logAnalytics.existingId ?? observed.atProvider(keys.logAnalytics, 'id');
  const monitorWorkspaceId = spec.monitorWorkspace.existingId ?? observed.atProvider(keys.monitorWorkspace, 'id');
  // The rule names the workspace by ID only: its monitorAccountId has no reference field.
  if (monitorWorkspaceId) {
    desired.set(
      keys.prometheusRule,
      render(MonitorDataCollectionRule, {
        metadata: meta(stamp, keys.prometheusRule, { azureName: spec.prometheus.ruleName }),
        spec: {
          providerConfigRef,
          forProvider: {
            kind: 'Linux',
            description: 'Managed Prometheus metrics of the network’s AKS clusters',
            dataCollectionEndpointIdRef: refTo(stamp, keys.prometheusEndpoint),
            dataSources: { prometheusForwarder: [{ name: 'PrometheusDataSource', streams: [PROMETHEUS_STREAM] }] },
            destinations: { monitorAccount: [{ name: MONITOR_ACCOUNT, monitorAccountId: monitorWorkspaceId }] },
            dataFlow: [{ streams: [PROMETHEUS_STREAM], destinations: [MONITOR_ACCOUNT] }],
            ...placed,
          },
        },
      }),
    );
  } else waits.push(monitoringGates.monitorWorkspaceForPrometheus());

  desired.set(
    keys.actionGroup,
    render(MonitorActionGroup, {
      metadata: meta(stamp, keys.actionGroup, { azureName: spec.actionGroup.name }),
      spec: {
        providerConfigRef,
        forProvider: {
          resourceGroupName: spec.resourceGroupName,
          location: 'global',
          shortName: spec.actionGroup.shortName,
          emailReceiver: spec.actionGroup.emails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
          webhookReceiver: spec.actionGroup.webhooks.map((serviceUri, i) => ({ name: `webhook-${i + 1}`, serviceUri, useCommonAlertSchema: true })),
          tags: { ...spec.tags },
        },
      },
    }),
  );

  for (const gateway of spec.gateways) {
    // Access and firewall logs, so that the WAF can be tuned on what it would block before
    // Prevention blocks researchers. Target and workspace by ID: the setting has no reference fields.
    if (logAnalyticsId) {
      desired.set(
        keys.gatewayDiagnostics(gateway.name),
        render(MonitorDiagnosticSetting, {
          metadata: meta(stamp, keys.gatewayDiagnostics(gateway.name)),
          spec: {
            providerConfigRef,
            forProvider: {
              name: 'k8tre-diagnostics',
              targetResourceId: gateway.id,
              logAnalyticsWorkspaceId: logAnalyticsId,
              logAnalyticsDestinationType: 'Dedicated',
              enabledLog: GATEWAY_LOGS.map((category) => ({ category })),
              enabledMetric: [{ category: 'AllMetrics' }],
            },
          },
        }),
      );
    }
    // One rule per gateway, split by backend pool: each environment has its own pool, so each
    // alerts on its own (https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-network-applicationgateways-metrics).
    desired.set(
      keys.gatewayUnhealthyBackends(gateway.name),
      render(MonitorMetricAlert, {
        metadata: meta(stamp, keys.gatewayUnhealthyBackends(gateway.name), { azureName: `${gateway.name}-unhealthy-backends` }),
        spec: {
          providerConfigRef,
          forProvider: {
            resourceGroupName: spec.resourceGroupName,
            description: `An environment behind ${gateway.name} has a backend the gateway's probe finds unhealthy`,
            scopes: [gateway.id],
            severity: 1,
            frequency: 'PT1M',
            windowSize: 'PT5M',
            criteria: [
              {
                metricNamespace: 'Microsoft.Network/applicationGateways',
                metricName: 'UnhealthyHostCount',
                aggregation: 'Average',
                operator: 'GreaterThan',
                threshold: 0,
                dimension: [{ name: 'BackendSettingsPool', operator: 'Include', values: ['*'] }],
              },
            ],
            action: [{ actionGroupIdRef: refTo(stamp, keys.actionGroup) }],
            tags: { ...spec.tags },
          },
        },
      }),
    );
  }
  if (!logAnalyticsId && spec.gateways.length > 0) waits.push(monitoringGates.logAnalyticsForGateways());
  if (spec.grafana) waits.push(...composeGrafana(spec, spec.grafana, stamp, observed, { logAnalyticsId, monitorWorkspaceId }, desired));

  return {
    // Only the IDs known: compact drops the rest.
    status: compact({
      logAnalyticsWorkspaceId: logAnalyticsId,
      monitorWorkspaceId,
      prometheusRuleId: observed.atProvider(keys.prometheusRule, 'id'),
      actionGroupId: observed.atProvider(keys.actionGroup, 'id'),
    }),
    waits,
  };
}
