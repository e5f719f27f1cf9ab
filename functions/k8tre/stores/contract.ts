import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import { enums, limits, patterns } from '../cluster/api.js';
import { azureId, clusterChildFields, groupName } from '../cluster/child-contract.js';
import { STORAGE_PURPOSES } from '../cluster/naming.js';

// What a cluster tells its data stores (the spec), and what they tell the cluster (the status):
// one source for the XK8treDataStores XRD's schemas, the types the cluster writes and reads, and
// the reader the data stores check their spec with.

/** The sub-resources a private endpoint reaches: HNS accounts serve dfs as well (the reference forgot it). */
export const STORAGE_SERVICES = ['blob', 'file', 'queue', 'table', 'dfs'] as const;
export const ENDPOINT_ZONES = ['vault', ...STORAGE_SERVICES] as const;

export const storesSpecContract = c.object('What the cluster decided for its data stores. Written by the XK8treCluster; edits are overwritten.', {
  ...clusterChildFields,
  retain: c.boolean('Deleting the XR leaves the stores and the data resource group in Azure (the cluster’s deletionPolicy: Retain).'),
  dataResourceGroupName: groupName('The stores’ own resource group, composed here while a store lives in it.'),
  keyVault: c.object('The Key Vault.', {
    name: c.string('Its name.', { pattern: patterns.keyVaultName.pattern.source, maxLength: 24 }),
    resourceGroupName: groupName('Its resource group: the data group, or the cluster’s for a vault an earlier version put there.'),
    tenantId: c.string('The Entra tenant.', { pattern: patterns.uuid.pattern.source }),
    softDeleteRetentionDays: c.integer('Days a deleted vault stays recoverable.', { minimum: limits.softDeleteDays.min, maximum: limits.softDeleteDays.max }),
    id: c.optional(azureId('Its ID as the cluster knows it, so endpoints need not wait for the vault to report it.')),
  }),
  storage: c.record(
    'The storage accounts, by purpose.',
    STORAGE_PURPOSES,
    c.object('An account.', {
      name: c.string('Its name.', { pattern: patterns.storageAccountName.pattern.source }),
      resourceGroupName: groupName('Its resource group: the data group, or the cluster’s for an account an earlier version put there.'),
      replication: c.string('Its replication.', { enum: enums.storageReplication }),
      sharedAccessKeyEnabled: c.boolean('Whether it takes Shared Key requests (cluster/shared-keys.ts).'),
      id: c.optional(azureId('Its ID as the cluster knows it: see keyVault.id.')),
    }),
  ),
  privateEndpoints: c.object('Where the stores are reached: their private endpoints.', {
    resourceGroupName: groupName('The endpoints’ resource group: the cluster’s.'),
    subnetId: azureId('The spoke’s private endpoint subnet.'),
    zoneIds: c.record('The private-link zone each endpoint registers in, by sub-resource.', ENDPOINT_ZONES, azureId('A zone ID.')),
  }),
});
export type StoresSpec = TypeOf<typeof storesSpecContract>;

export const storesStatusContract = c.object('What the data stores composed, once Azure reports it. The cluster reads it.', {
  keyVault: c.optional(
    c.object('The Key Vault.', {
      id: c.optional(c.string('Its ID.')),
      uri: c.optional(c.string('Its URI.')),
    }),
  ),
  storage: c.optional(
    c.map(
      'The storage accounts, by purpose.',
      c.object('An account.', {
        id: c.optional(c.string('Its ID.')),
        sharedAccessKeyEnabled: c.optional(c.boolean('Whether it takes Shared Key requests, as Azure reports it.')),
      }),
    ),
  ),
});
export type StoresStatus = TypeOf<typeof storesStatusContract>;
