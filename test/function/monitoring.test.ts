import { describe, expect, it } from 'vitest';
import { keys as monitoringKeys } from '../../functions/k8tre/monitoring/compose-monitoring.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { desired, fatalMessage, loadExample, run, settle, status, withField, type Json } from '../support/function.js';

// A network's platform monitoring (network/monitoring.ts, monitoring/): an XK8treMonitoring of
// its own, composed once the network's resource group exists, with the workspaces, the managed
// Prometheus endpoint and rule, the action group, and each gateway's diagnostics and alert; its
// IDs reach the network's status, where clusters read them.

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
const example = loadExample('examples/network/k8tre.yaml');
const settled = settle(example, observe);
const MONITORING = 'monitoring/';
const monitoringOf = (tree: Record<string, Json>) =>
  Object.fromEntries(Object.entries(tree).flatMap(([name, m]) => (name.startsWith(MONITORING) ? [[name.slice(MONITORING.length), m]] : [])));
const forProvider = (m: Json | undefined) => (m?.spec as { forProvider: Json }).forProvider;

describe('monitoring on by default', () => {
  const composed = monitoringOf(settled.tree);

  it('composes the workspaces, the Prometheus endpoint and rule, and the action group', () => {
    expect(Object.keys(composed)).toEqual(
      expect.arrayContaining([
        monitoringKeys.logAnalytics,
        monitoringKeys.monitorWorkspace,
        monitoringKeys.prometheusEndpoint,
        monitoringKeys.prometheusRule,
        monitoringKeys.actionGroup,
      ]),
    );
    expect(forProvider(composed[monitoringKeys.logAnalytics])).toMatchObject({ sku: 'PerGB2018', retentionInDays: 30 });
  });

  it('sends Prometheus metrics to the Azure Monitor workspace by its ID, since the rule has no reference to it', () => {
    const rule = forProvider(composed[monitoringKeys.prometheusRule]);
    const workspaceId = (composed[monitoringKeys.monitorWorkspace]?.status as { atProvider: { id: string } }).atProvider.id;
    expect(rule).toMatchObject({
      kind: 'Linux',
      destinations: { monitorAccount: [{ name: 'MonitoringAccount1', monitorAccountId: workspaceId }] },
      dataFlow: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['MonitoringAccount1'] }],
    });
  });

  it("logs each gateway's access and WAF verdicts, and alerts per environment's backend pool", () => {
    const diagnostics = forProvider(composed[monitoringKeys.gatewayDiagnostics('agw-k8tre')]);
    expect(diagnostics.enabledLog).toEqual([{ category: 'ApplicationGatewayAccessLog' }, { category: 'ApplicationGatewayFirewallLog' }]);
    const alert = forProvider(composed[monitoringKeys.gatewayUnhealthyBackends('agw-k8tre')]);
    expect(alert.criteria).toMatchObject([{ metricName: 'UnhealthyHostCount', dimension: [{ name: 'BackendSettingsPool', values: ['*'] }] }]);
  });

  it('publishes the IDs in the network status, for its clusters', () => {
    expect(status(run(settled.xr, settled.observed))).toMatchObject({
      monitoring: {
        logAnalyticsWorkspaceId: expect.any(String),
        monitorWorkspaceId: expect.any(String),
        prometheusRuleId: expect.any(String),
        actionGroupId: expect.any(String),
      },
    });
  });

  it('waits for the resource group before composing the monitoring, which lives in it', () => {
    expect(Object.keys(run(example).desired?.resources ?? {})).not.toContain('monitoring');
  });
});

describe('what the XR says', () => {
  const cases: { name: string; monitoring: Json; expect: (spec: Json) => void }[] = [
    {
      name: 'an existing Log Analytics workspace is used, not composed',
      monitoring: {
        logAnalyticsWorkspaceId:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/log-ops',
      },
      expect: (spec) => expect(spec.logAnalytics).toMatchObject({ existingId: expect.stringContaining('log-ops') }),
    },
    {
      name: 'receivers reach the action group, addresses as given',
      monitoring: { alerts: { emails: ['ops@example.org'], webhooks: ['https://hooks.example.org/k8tre'] } },
      expect: (spec) =>
        expect(spec.actionGroup).toMatchObject({ emails: ['ops@example.org'], webhooks: ['https://hooks.example.org/k8tre'], shortName: 'k8tre' }),
    },
    {
      name: 'retention and a daily cap are the workspace’s',
      monitoring: { retentionInDays: 90, dailyQuotaGb: 5 },
      expect: (spec) => expect(spec.logAnalytics).toMatchObject({ retentionInDays: 90, dailyQuotaGb: 5 }),
    },
  ];
  // A fresh network, so that the workspace's switch from composed to existing is not refused.
  const fresh = { ...settled.observed };
  delete fresh.monitoring;
  for (const c of cases) it(c.name, () => c.expect(desired(run(withField(example, 'spec.monitoring', c.monitoring), fresh), 'monitoring').spec as Json));

  it('composes none when turned off on a new network', () => {
    expect(Object.keys(run(withField(example, 'spec.monitoring', { enabled: false }), fresh).desired?.resources ?? {})).not.toContain('monitoring');
  });
});

describe('what would destroy is refused, naming the field', () => {
  it.each([
    ['turning monitoring off, which deletes the workspace and its audit logs', { enabled: false }, 'spec.monitoring.enabled'],
    [
      'pointing at another Log Analytics workspace than the one composed',
      {
        logAnalyticsWorkspaceId:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/log-ops',
      },
      'spec.monitoring.logAnalyticsWorkspaceId',
    ],
    [
      'pointing at another Azure Monitor workspace than the one composed',
      { monitorWorkspaceId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.Monitor/accounts/amw-ops' },
      'spec.monitoring.monitorWorkspaceId',
    ],
  ])('%s', (_, monitoring, field) => {
    expect(fatalMessage(run(withField(example, 'spec.monitoring', monitoring), settled.observed))).toContain(`invalid input: ${field}:`);
  });
});

describe('Managed Grafana, off by default', () => {
  const ADMINS = 'aaaaaaaa-0000-0000-0000-000000000001';
  const VIEWERS = ['bbbbbbbb-0000-0000-0000-000000000002', 'bbbbbbbb-0000-0000-0000-000000000003'];
  const on = monitoringOf(
    settle(withField(example, 'spec.monitoring.grafana', { enabled: true, adminGroupObjectIds: [ADMINS], viewerGroupObjectIds: VIEWERS }), observe).tree,
  );

  it('is not composed unless asked', () => {
    expect(Object.keys(monitoringOf(settled.tree)).filter((key) => key.startsWith('grafana'))).toEqual([]);
  });

  it('runs on the Azure Monitor workspace, with Entra ID sign-in only', () => {
    const workspaceId = (on[monitoringKeys.monitorWorkspace]?.status as { atProvider: { id: string } }).atProvider.id;
    expect(on[monitoringKeys.grafana]?.metadata).toMatchObject({ annotations: { 'crossplane.io/external-name': 'amg-k8tre' } });
    expect(forProvider(on[monitoringKeys.grafana])).toMatchObject({
      apiKeyEnabled: false,
      identity: { type: 'SystemAssigned' },
      azureMonitorWorkspaceIntegrations: [{ resourceId: workspaceId }],
    });
  });

  it("lets its identity read Prometheus and the logs, and the XR's groups in as admins and viewers, each keyed by its group", () => {
    const grafanaPrincipal = (on[monitoringKeys.grafana]?.status as { atProvider: { identity: { principalId: string } } }).atProvider.identity.principalId;
    expect(forProvider(on[monitoringKeys.grafanaPrometheusReader])).toMatchObject({
      roleDefinitionName: 'Monitoring Data Reader',
      principalId: grafanaPrincipal,
      principalType: 'ServicePrincipal',
    });
    expect(forProvider(on[monitoringKeys.grafanaLogsReader])).toMatchObject({ roleDefinitionName: 'Log Analytics Reader', principalId: grafanaPrincipal });
    expect(forProvider(on[monitoringKeys.grafanaGroupRole('admin', ADMINS)])).toMatchObject({
      roleDefinitionName: 'Grafana Admin',
      principalId: ADMINS,
      principalType: 'Group',
    });
    for (const group of VIEWERS) {
      expect(forProvider(on[monitoringKeys.grafanaGroupRole('viewer', group)])).toMatchObject({ roleDefinitionName: 'Grafana Viewer', principalType: 'Group' });
    }
  });

  it('refuses a group given by name rather than object ID, naming the field', () => {
    const xr = withField(example, 'spec.monitoring.grafana', { enabled: true, viewerGroupObjectIds: ['researchers'] });
    expect(fatalMessage(run(xr))).toContain('spec.monitoring.grafana.viewerGroupObjectIds[0]');
  });
});
