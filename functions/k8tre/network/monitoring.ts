import type { DesiredResources } from '../lib/composition.js';
import { FieldError } from '../lib/field-error.js';
import { compact, dig, digString, isObject } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { SpecReader, optional, stringItem } from '../lib/spec-reader.js';
import { definedFields } from '../lib/records.js';
import { KIND, defaults, limits, patterns as monitoringPatterns } from '../monitoring/api.js';
import { MONITORING_IDS, type MonitoringSpec, type MonitoringStatus } from '../monitoring/contract.js';
import { armId } from './api.js';
import { azureNames, keys, networkChildXr, toldByNetwork } from './naming.js';
import type { NetworkSpec } from './spec.js';

// The network's side of its monitoring (monitoring/): what the XR asks for, the XK8treMonitoring
// it composes from that, and the IDs it publishes to its clusters. On by default, as the AKS
// baseline asks; `enabled: false` composes none.

export interface NetworkMonitoring {
  readonly logAnalyticsWorkspaceId?: string;
  readonly monitorWorkspaceId?: string;
  readonly retentionInDays: number;
  readonly dailyQuotaGb?: number;
  readonly emails: readonly string[];
  readonly webhooks: readonly string[];
  /** Managed Grafana, when turned on. */
  readonly grafana?: { readonly adminGroupObjectIds: readonly string[]; readonly viewerGroupObjectIds: readonly string[] };
}

export const patterns = {
  logAnalyticsWorkspaceId: {
    pattern: armId('Microsoft.OperationalInsights/workspaces'),
    describe: 'a Log Analytics workspace ID (/subscriptions/.../providers/Microsoft.OperationalInsights/workspaces/NAME)',
  },
  monitorWorkspaceId: {
    pattern: armId('Microsoft.Monitor/accounts'),
    describe: 'an Azure Monitor workspace ID (/subscriptions/.../providers/Microsoft.Monitor/accounts/NAME)',
  },
} as const;

export function parseMonitoring(spec: SpecReader): { monitoring?: NetworkMonitoring } {
  const monitoring = spec.object('monitoring') ?? SpecReader.root({}, 'spec.monitoring');
  if (!monitoring.boolean('enabled', true)) return {};
  const alerts = monitoring.object('alerts');
  return {
    // In the spec's order, as the reader checks it: with two fields wrong, the error names the first.
    monitoring: definedFields<NetworkMonitoring>({
      logAnalyticsWorkspaceId: monitoring.string('logAnalyticsWorkspaceId', patterns.logAnalyticsWorkspaceId),
      monitorWorkspaceId: monitoring.string('monitorWorkspaceId', patterns.monitorWorkspaceId),
      retentionInDays: monitoring.integer('retentionInDays', limits.retentionDays, defaults.retentionInDays),
      dailyQuotaGb: monitoring.has('dailyQuotaGb') ? monitoring.integer('dailyQuotaGb', limits.dailyQuotaGb, 0) : undefined,
      emails: alerts?.list('emails', limits.emailReceivers, stringItem(monitoringPatterns.email)) ?? [],
      webhooks: alerts?.list('webhooks', limits.webhookReceivers, stringItem(monitoringPatterns.webhook)) ?? [],
      grafana: parseGrafana(monitoring.object('grafana')).grafana,
    }),
  };
}

function parseGrafana(grafana: SpecReader | undefined): Pick<NetworkMonitoring, 'grafana'> {
  if (!grafana?.boolean('enabled', false)) return {};
  const groups = (key: string) => grafana.list(key, limits.grafanaGroups, stringItem(monitoringPatterns.groupObjectId)) ?? [];
  return { grafana: { adminGroupObjectIds: groups('adminGroupObjectIds'), viewerGroupObjectIds: groups('viewerGroupObjectIds') } };
}

/**
 * Composes the network's XK8treMonitoring, once its resource group has an ID (every monitoring
 * resource lives there), telling it the gateways Azure has reported. Turning monitoring off for a
 * network that has it is refused: its workspace holds the platform's audit logs.
 */
export function composeMonitoring(spec: NetworkSpec, observed: Observed, gateways: readonly { name: string; id?: string }[], desired: DesiredResources): void {
  if (!spec.monitoring) {
    if (observed.has(keys.monitoring)) {
      throw new FieldError(
        'spec.monitoring.enabled',
        "is false, but this network's monitoring exists: dropping it deletes the Log Analytics workspace and the audit logs in it. Keep it on, or delete the workspace's logs in Azure first and accept losing them",
      );
    }
    return;
  }
  if (!observed.has(keys.monitoring) && !observed.atProvider(keys.resourceGroup, 'id')) return;
  const m = spec.monitoring;
  checkComposedWorkspacesKept(m, dig(observed.get(keys.monitoring), 'spec'));
  const monitoringSpec: MonitoringSpec = {
    logAnalytics: {
      name: azureNames.logAnalytics(spec),
      ...optional('existingId', m.logAnalyticsWorkspaceId),
      retentionInDays: m.retentionInDays,
      ...optional('dailyQuotaGb', m.dailyQuotaGb),
    },
    monitorWorkspace: { name: azureNames.monitorWorkspace(spec), ...optional('existingId', m.monitorWorkspaceId) },
    prometheus: { endpointName: azureNames.prometheusEndpoint(spec), ruleName: azureNames.prometheusRule(spec) },
    actionGroup: { name: azureNames.actionGroup(spec), shortName: spec.name.slice(0, 12), emails: [...m.emails], webhooks: [...m.webhooks] },
    ...(m.grafana && {
      grafana: {
        name: azureNames.grafana(spec),
        adminGroupObjectIds: [...m.grafana.adminGroupObjectIds],
        viewerGroupObjectIds: [...m.grafana.viewerGroupObjectIds],
      },
    }),
    gateways: gateways.flatMap((g) => (g.id ? [{ name: g.name, id: g.id }] : [])),
    ...toldByNetwork(spec),
  };
  desired.set(keys.monitoring, networkChildXr(spec, keys.monitoring, KIND, monitoringSpec));
}

/**
 * A workspace the monitoring composed holds logs or metrics: pointing at another one instead
 * would drop it, and Crossplane would delete it with them. Refused, naming the field.
 */
function checkComposedWorkspacesKept(m: NetworkMonitoring, told: unknown): void {
  if (!isObject(told)) return;
  for (const [field, part, what] of [
    ['logAnalyticsWorkspaceId', 'logAnalytics', 'Log Analytics workspace, and the logs in it'],
    ['monitorWorkspaceId', 'monitorWorkspace', 'Azure Monitor workspace, and the metrics in it'],
  ] as const) {
    const composedOne = isObject(told[part]) && dig(told, part, 'existingId') === undefined;
    if (composedOne && m[field] !== undefined) {
      throw new FieldError(`spec.monitoring.${field}`, `would replace the ${what}, which this network composed: dropping it deletes it. Leave ${field} unset`);
    }
  }
}

/** What the network tells its clusters of its monitoring (its status's `monitoring`): the IDs its XK8treMonitoring reported. */
export function monitoringFacts(spec: NetworkSpec, observed: Observed): MonitoringStatus | undefined {
  if (!spec.monitoring) return undefined;
  const reported = observed.get(keys.monitoring);
  return compact(Object.fromEntries(MONITORING_IDS.map((field) => [field, digString(reported, 'status', field)])));
}
