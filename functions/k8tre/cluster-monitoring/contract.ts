import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import { azureId, clusterChildFields, groupName } from '../cluster/child-contract.js';
import { enums, limits } from './api.js';

// What a cluster tells its monitoring (the spec) and what the monitoring reports (the status): one
// source for the XK8treClusterMonitoring XRD's schemas, the types the cluster writes and the
// reader the monitoring checks its spec with.

const name = (description: string) => c.string(description, { maxLength: 80 });

export const clusterMonitoringSpecContract = c.object('What the cluster decided for its monitoring. Written by the XK8treCluster; edits are overwritten.', {
  ...clusterChildFields,
  resourceGroupName: groupName('Resource group of the rules and alerts: the cluster’s.'),
  aks: c.object('The AKS cluster monitored.', { name: name('Its name in Azure.'), id: azureId('Its ID.') }),
  logAnalyticsWorkspaceId: azureId('The network’s Log Analytics workspace: diagnostics and container logs go there.'),
  monitorWorkspaceId: azureId('The network’s Azure Monitor workspace, which holds the Prometheus metrics the alerts query.'),
  prometheusRuleId: azureId('The network’s managed Prometheus data collection rule, associated with the cluster.'),
  actionGroupId: azureId('The network’s action group, which every alert notifies.'),
  containerInsights: c.optional(
    c.object('Container Insights: container logs, Kubernetes events and pod inventory into the workspace. Absent, none.', {
      ruleName: name('Its data collection rule.'),
      intervalMinutes: c.integer('How often inventory is collected.', {
        minimum: limits.collectionIntervalMinutes.min,
        maximum: limits.collectionIntervalMinutes.max,
      }),
      namespaceFilteringMode: c.string('Which namespaces the filter keeps.', { enum: enums.namespaceFilteringMode }),
      namespaces: c.array('The namespaces the filter names.', c.string('A namespace.', { maxLength: 63 }), { maxItems: limits.namespaces.max }),
    }),
  ),
  alerts: c.boolean('Compose Microsoft’s recommended Prometheus alert rules and the node-readiness and Key Vault availability alerts.'),
  certificateAlerts: c.optional(
    c.boolean('Alert on cert-manager’s certificates nearing expiry or not ready: this cluster issues the network gateway’s (issuance CertManager).'),
  ),
  keyVault: c.optional(c.object('The cluster’s Key Vault, once its ID is known: its audit log and availability.', { id: azureId('Its ID.') })),
  storageAccounts: c.array(
    'The cluster’s storage accounts, once their IDs are known: their reads, writes and deletes.',
    c.object('An account.', { purpose: c.string('What it holds.', { maxLength: 24 }), id: azureId('Its ID.') }),
    { maxItems: 4 },
  ),
});
export type ClusterMonitoringSpec = TypeOf<typeof clusterMonitoringSpecContract>;

export const clusterMonitoringStatusContract = c.object('What the monitoring composed, once Azure reports it.', {
  containerInsightsRuleId: c.optional(c.string('The Container Insights data collection rule ID.')),
});
export type ClusterMonitoringStatus = TypeOf<typeof clusterMonitoringStatusContract>;
