import { describe, expect, it } from 'vitest';
import { AKS_LOGS, keys as monitoringKeys, STORAGE_LOG_SERVICES } from '../../functions/k8tre/cluster-monitoring/compose-cluster-monitoring.js';
import { keys } from '../../functions/k8tre/cluster/naming.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { fatalMessage, loadExample, runWithRequired, settle, settledDevCluster, withField, type Json } from '../support/function.js';

// A cluster's platform monitoring (cluster/monitoring.ts, cluster-monitoring/): the AKS add-ons on
// the cluster itself, and an XK8treClusterMonitoring with the Prometheus association, Container
// Insights, the diagnostic settings and the alerts, all sent to what the network's monitoring
// composed.

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
const settled = settledDevCluster();
const network = settled.required.network?.[0] as Json;
const networkMonitoring = (network.status as { monitoring: Record<string, string> }).monitoring;
const MONITORING = 'monitoring/';
const composedMonitoring = Object.fromEntries(
  Object.entries(settled.tree).flatMap(([name, m]) => (name.startsWith(MONITORING) ? [[name.slice(MONITORING.length), m]] : [])),
);
const forProvider = (m: Json | undefined) => (m?.spec as { forProvider: Json }).forProvider;
const aksOf = (tree: Record<string, Json>) => forProvider(tree[keys.cluster]);
const cluster = loadExample('examples/cluster/dev.yaml');

describe('a cluster in a network with monitoring', () => {
  it("turns on the AKS add-ons, into the network's Log Analytics workspace", () => {
    expect(aksOf(settled.tree)).toMatchObject({
      monitorMetrics: { annotationsAllowed: '', labelsAllowed: '' },
      omsAgent: { logAnalyticsWorkspaceId: networkMonitoring.logAnalyticsWorkspaceId, msiAuthForMonitoringEnabled: true },
      microsoftDefender: { logAnalyticsWorkspaceId: networkMonitoring.logAnalyticsWorkspaceId },
    });
  });

  it("associates the cluster with the network's Prometheus rule, by ID", () => {
    const aksId = (settled.tree[keys.cluster]?.status as { atProvider: { id: string } }).atProvider.id;
    expect(forProvider(composedMonitoring[monitoringKeys.prometheusAssociation])).toMatchObject({
      targetResourceId: aksId,
      dataCollectionRuleId: networkMonitoring.prometheusRuleId,
    });
  });

  it("collects container logs on the cost-optimized preset: every 5 minutes, without AKS's own namespaces", () => {
    const rule = forProvider(composedMonitoring[monitoringKeys.containerInsightsRule]) as { dataSources: { extension: { extensionJson: string }[] } };
    expect(JSON.parse(rule.dataSources.extension[0]!.extensionJson)).toEqual({
      dataCollectionSettings: {
        interval: '5m',
        namespaceFilteringMode: 'Exclude',
        namespaces: ['kube-system', 'gatekeeper-system', 'azure-arc'],
        enableContainerLogV2: true,
      },
    });
  });

  it('keeps diagnostics of the control plane, the Key Vault and every storage service of both accounts', () => {
    expect(forProvider(composedMonitoring[monitoringKeys.aksDiagnostics])).toMatchObject({
      enabledLog: AKS_LOGS.map((category) => ({ category })),
      logAnalyticsWorkspaceId: networkMonitoring.logAnalyticsWorkspaceId,
    });
    expect(forProvider(composedMonitoring[monitoringKeys.keyVaultDiagnostics])).toMatchObject({ enabledLog: [{ category: 'AuditEvent' }] });
    // Storage logs are on each service, a child of the account.
    for (const purpose of ['core', 'workspace']) {
      const accountId = (settled.tree[`data-stores/storage-${purpose}`]?.status as { atProvider: { id: string } }).atProvider.id;
      for (const service of STORAGE_LOG_SERVICES) {
        expect(forProvider(composedMonitoring[monitoringKeys.storageDiagnostics(purpose, service)]).targetResourceId).toBe(
          `${accountId}/${service}Services/default`,
        );
      }
    }
  });

  it("composes Microsoft's three recommended rule groups, every rule and group enabled and notifying the action group", () => {
    // azurerm sends false for an unset enabled flag: a rule written without one would never fire.
    // The counts are those of Microsoft's template: 11 cluster-level, 3 node-level, 16 pod-level.
    for (const [level, count] of [
      ['Cluster', 11],
      ['Node', 3],
      ['Pod', 16],
    ] as const) {
      const group = forProvider(composedMonitoring[monitoringKeys.prometheusRules(level)]) as { ruleGroupEnabled: boolean; rule: Json[] };
      expect(group.ruleGroupEnabled).toBe(true);
      expect(group.rule).toHaveLength(count);
      expect(
        group.rule.every((r) => r.enabled === true && JSON.stringify(r.action) === JSON.stringify([{ actionGroupId: networkMonitoring.actionGroupId }])),
      ).toBe(true);
    }
  });

  it('alerts on nodes not ready and on the Key Vault answering too few requests', () => {
    expect(forProvider(composedMonitoring[monitoringKeys.nodeReadinessAlert])).toMatchObject({
      criteria: [{ metricName: 'kube_node_status_condition', dimension: [{ name: 'status2', values: ['NotReady', 'Unknown'] }] }],
    });
    expect(forProvider(composedMonitoring[monitoringKeys.keyVaultAvailabilityAlert])).toMatchObject({
      criteria: [{ metricName: 'Availability', operator: 'LessThan', threshold: 90 }],
    });
  });
});

describe('what the cluster XR says', () => {
  // Each case: a field of spec.monitoring or spec.security, and what it changes.
  const cases: { name: string; field: string; value: unknown; check: (tree: Record<string, Json>) => void }[] = [
    {
      name: 'monitoring off keeps the AKS add-ons and the monitoring XR away; Defender still reports to the workspace',
      field: 'monitoring.enabled',
      value: false,
      check: (tree) => {
        expect(tree[keys.monitoring]).toBeUndefined();
        expect(aksOf(tree)).not.toHaveProperty('monitorMetrics');
        expect(aksOf(tree)).toHaveProperty('microsoftDefender');
      },
    },
    {
      name: 'Defender off drops only the security profile',
      field: 'security.defender',
      value: false,
      check: (tree) => {
        expect(aksOf(tree)).not.toHaveProperty('microsoftDefender');
        expect(aksOf(tree)).toHaveProperty('monitorMetrics');
      },
    },
    {
      name: 'Container Insights off drops the agent and its rule, keeping Prometheus and diagnostics',
      field: 'monitoring.containerInsights.enabled',
      value: false,
      check: (tree) => {
        expect(aksOf(tree)).not.toHaveProperty('omsAgent');
        expect(Object.keys(tree)).not.toContain(`${MONITORING}${monitoringKeys.containerInsightsRule}`);
        expect(Object.keys(tree)).toContain(`${MONITORING}${monitoringKeys.aksDiagnostics}`);
      },
    },
    {
      name: 'alerts off composes no rule groups or metric alerts',
      field: 'monitoring.alerts',
      value: false,
      check: (tree) =>
        expect(Object.keys(tree).filter((name) => name.startsWith(`${MONITORING}prometheus-rules`) || name.startsWith(`${MONITORING}alert-`))).toEqual([]),
    },
  ];
  for (const c of cases) {
    it(c.name, () => c.check(settle(withField(cluster, `spec.${c.field}`, c.value), observe, settled.required).tree));
  }
});

describe('a cluster in a network without monitoring', () => {
  const unmonitored = { ...network, spec: { ...(network.spec as Json), monitoring: { enabled: false } } };
  const { monitoring: _dropped, ...statusWithout } = network.status as Json;
  const required = { network: [{ ...unmonitored, status: statusWithout }] };

  it('follows its network: no add-ons, no Defender, no monitoring XR', () => {
    const tree = settle(cluster, observe, required).tree;
    expect(tree[keys.monitoring]).toBeUndefined();
    expect(aksOf(tree)).not.toHaveProperty('monitorMetrics');
    expect(aksOf(tree)).not.toHaveProperty('microsoftDefender');
  });

  // Asked for explicitly, it would silently get nothing: refused, naming the field.
  for (const field of ['monitoring.enabled', 'security.defender']) {
    it(`refuses ${field}: true, naming the field`, () => {
      expect(fatalMessage(runWithRequired(withField(cluster, `spec.${field}`, true), required))).toMatch(
        new RegExp(`spec\\.${field.replace('.', '\\.')}: is true, but`),
      );
    });
  }
});

describe('a cluster in a network whose monitoring has not reported', () => {
  it('waits for the IDs rather than create AKS without its add-ons', () => {
    const { monitoring: _dropped, ...statusWithout } = network.status as Json;
    const rsp = runWithRequired(cluster, { network: [{ ...network, status: statusWithout }] });
    expect(rsp.desired?.resources?.[keys.cluster]).toBeUndefined();
    expect(rsp.conditions.find((c) => c.type === 'NetworkReady')?.message).toMatch(/monitoring logAnalyticsWorkspaceId/);
  });
});
