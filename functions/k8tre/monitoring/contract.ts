import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import { azureId, parentTagsField, providerConfigRefField } from '../lib/child-fields.js';
import { limits as networkLimits, patterns as networkPatterns } from '../network/api.js';
import { limits, patterns } from './api.js';

// What a network tells its monitoring (the spec), and what the monitoring tells the network (the
// status): one source for the XK8treMonitoring XRD's schemas, the types the network writes and
// reads, and the reader the monitoring checks its spec with.

const name = (description: string) => c.string(description, { maxLength: 63 });
const groups = (description: string) =>
  c.array(description, c.string('A group object ID.', { pattern: patterns.groupObjectId.pattern.source }), { maxItems: limits.grafanaGroups.max });

export const monitoringSpecContract = c.object('What the network decided for its monitoring. Written by the XK8treNetwork; edits are overwritten.', {
  network: c.string('The XK8treNetwork it belongs to.', { pattern: networkLimits.xrName.pattern.source }),
  region: c.string('Azure region.', { pattern: networkPatterns.region.pattern.source }),
  resourceGroupName: c.string('Resource group of the monitoring resources: the network’s.', { maxLength: 90 }),
  providerConfigRef: providerConfigRefField,
  tags: parentTagsField('The network’s Azure tags.'),
  logAnalytics: c.object('The Log Analytics workspace: container logs, control-plane and gateway diagnostics, Defender.', {
    name: name('Its name, when composed here.'),
    existingId: c.optional(azureId('An existing workspace to use instead of composing one.')),
    retentionInDays: c.integer('Days logs are kept.', { minimum: limits.retentionDays.min, maximum: limits.retentionDays.max }),
    dailyQuotaGb: c.optional(c.integer('Daily ingestion cap in GB; unset, none.', { minimum: limits.dailyQuotaGb.min, maximum: limits.dailyQuotaGb.max })),
  }),
  monitorWorkspace: c.object('The Azure Monitor workspace that holds managed Prometheus metrics.', {
    name: name('Its name, when composed here.'),
    existingId: c.optional(azureId('An existing workspace, in the network’s region, to use instead of composing one.')),
  }),
  prometheus: c.object('Managed Prometheus collection: one endpoint and rule, associated with each cluster.', {
    endpointName: name('The data collection endpoint.'),
    ruleName: name('The data collection rule.'),
  }),
  actionGroup: c.object('Where alerts go.', {
    name: name('The action group.'),
    shortName: c.string('Its short name, shown in notifications.', { maxLength: 12 }),
    emails: c.array('Email receivers.', c.string('An address.', { pattern: patterns.email.pattern.source, maxLength: patterns.email.maxLength }), {
      maxItems: limits.emailReceivers.max,
    }),
    webhooks: c.array('Webhook receivers.', c.string('A URL.', { pattern: patterns.webhook.pattern.source, maxLength: patterns.webhook.maxLength }), {
      maxItems: limits.webhookReceivers.max,
    }),
  }),
  grafana: c.optional(
    c.object('Managed Grafana on the Azure Monitor workspace, with Entra groups as its admins and viewers.', {
      name: c.string('Its name.', { maxLength: 23 }),
      adminGroupObjectIds: groups('Entra groups given Grafana Admin.'),
      viewerGroupObjectIds: groups('Entra groups given Grafana Viewer.'),
    }),
  ),
  gateways: c.array(
    'The network’s Application Gateways, once Azure reports their IDs: each gets diagnostics and an alert on unhealthy backends.',
    c.object('A gateway.', { name: name('Its name.'), id: azureId('Its ID.') }),
    { maxItems: networkLimits.gateway.max },
  ),
});
export type MonitoringSpec = TypeOf<typeof monitoringSpecContract>;

export const monitoringStatusContract = c.object('What the monitoring composed, once Azure reports it. The network publishes it to its clusters.', {
  logAnalyticsWorkspaceId: c.optional(c.string('The Log Analytics workspace ID.')),
  monitorWorkspaceId: c.optional(c.string('The Azure Monitor workspace ID.')),
  prometheusRuleId: c.optional(c.string('The Prometheus data collection rule ID.')),
  actionGroupId: c.optional(c.string('The action group ID.')),
});
export type MonitoringStatus = TypeOf<typeof monitoringStatusContract>;

/** Every ID the monitoring reports, which the network publishes and its clusters wait for. */
export const MONITORING_IDS = Object.keys(monitoringStatusContract.schema.properties ?? {}) as (keyof MonitoringStatus)[];
