import type { ResourceGroupSpecManagementPolicies } from '../../../imports/azure.m.upbound.io.js';
import { handover, handoverWaits, PAUSED } from '../lib/adoption.js';
import { parseArmId } from '../lib/arm-id.js';
import { holds } from '../lib/child-xr-readiness.js';
import type { DesiredResources } from '../lib/composition.js';
import type { Wait } from '../lib/waits.js';
import { composedGates } from './gates.js';
import { dig, digString } from '../lib/json.js';
import { LABEL_CLUSTER, LABEL_ENVIRONMENT } from '../lib/labels.js';
import type { Observed } from '../lib/observed.js';
import { refTo, type Stamp } from '../lib/stamp.js';
import { API_VERSION, KIND } from '../stores/api.js';
import { RETAINED_GROUP_POLICIES } from '../stores/compose-stores.js';
import { STORAGE_SERVICES, type StoresSpec, type StoresStatus } from '../stores/contract.js';
import type { NetworkFacts } from './network-input.js';
import { azureNames, keys, STORAGE_PURPOSES, type StoragePurpose } from './naming.js';
import type { SharedKeyAccess } from './shared-keys.js';
import type { ClusterSpec } from './spec.js';

// The cluster's Key Vault and storage accounts are an XK8treDataStores of their own (stores/),
// which the cluster tells every name, group and setting. A cluster composed before that held them
// itself; they move to the data stores in lib/adoption.ts's three steps, nothing in Azure deleted
// or renamed, and the stores' IDs never unknown in between (the cluster's roles are scoped to them).

export interface DataStores {
  readonly keyVaultId?: string;
  readonly keyVaultUri?: string;
  readonly storageIds: Readonly<Partial<Record<StoragePurpose, string>>>;
  /** The cluster's own group holds stores made by an earlier version, so it is retained too. */
  readonly clusterGroupHoldsData: boolean;
  /** Where the data stores are: the data group, or for an earlier version's stores the cluster's. */
  readonly resourceGroupName: string;
  /** What the stores, or their move from the cluster to their own XR, wait for. */
  readonly waits: readonly Wait[];
}

/** The stores' resources as a cluster composed them before they had an XR of their own: the data stores use the same keys. */
const HELD_BEFORE = [
  keys.dataResourceGroup,
  keys.keyVault,
  keys.keyVaultEndpoint,
  ...STORAGE_PURPOSES.flatMap((purpose) => [keys.storage(purpose), ...STORAGE_SERVICES.map((service) => keys.storageEndpoint(purpose, service))]),
];

const VAULT_TYPE = 'Microsoft.KeyVault/vaults';
const ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';

/** The Kubernetes name of a cluster's data stores. */
export function dataStoresXrName(cluster: string): string {
  return `${cluster}-data`;
}

/**
 * Composes the cluster's XK8treDataStores, once the cluster's resource group, where the endpoints
 * go, is ready; or the steps of moving the stores a cluster composed itself into it.
 */
export function composeDataStores(
  spec: ClusterSpec,
  stamp: Stamp,
  network: NetworkFacts,
  observed: Observed,
  previousStatus: unknown,
  sharedKeys: SharedKeyAccess['access'],
  desired: DesiredResources,
): DataStores {
  const held = HELD_BEFORE.filter((key) => observed.has(key));
  const child = observed.get(keys.dataStores);
  const told = dig(child, 'spec') as Partial<StoresSpec> | undefined;
  const reported = dig(child, 'status') as StoresStatus | undefined;

  // A store stays in the group it is in: the cluster's, for one an earlier version put there.
  const homeOf = (key: string, toldGroup: string | undefined) =>
    observed.has(key)
      ? dig(observed.get(key), 'spec', 'forProvider', 'resourceGroupNameRef', 'name') === refTo(stamp, keys.resourceGroup).name
        ? spec.resourceGroupName
        : spec.dataResourceGroupName
      : (toldGroup ?? spec.dataResourceGroupName);
  const vaultHome = homeOf(keys.keyVault, told?.keyVault?.resourceGroupName);
  const accountHomes = Object.fromEntries(STORAGE_PURPOSES.map((p) => [p, homeOf(keys.storage(p), told?.storage?.[p]?.resourceGroupName)])) as Record<
    StoragePurpose,
    string
  >;

  // Reported by the data stores, else by the cluster's own resource while it holds it, else as
  // last reported, else the ID Azure gives it, from the subscription.
  const clusterGroupId = observed.atProvider(keys.resourceGroup, 'id');
  const subscription = clusterGroupId && parseArmId(clusterGroupId).subscriptionId;
  const knownId = (fromChild: string | undefined, key: string, previous: unknown, group: string, type: string, name: string) =>
    fromChild ??
    observed.atProvider(key, 'id') ??
    (typeof previous === 'string' ? previous : undefined) ??
    (subscription ? `/subscriptions/${subscription}/resourceGroups/${group}/providers/${type}/${name}` : undefined);
  const vaultName = azureNames.keyVault(spec);
  const keyVaultId = knownId(reported?.keyVault?.id, keys.keyVault, dig(previousStatus, 'keyVault', 'id'), vaultHome, VAULT_TYPE, vaultName);
  const storageIds: Partial<Record<StoragePurpose, string>> = {};
  for (const purpose of STORAGE_PURPOSES) {
    const id = knownId(
      reported?.storage?.[purpose]?.id,
      keys.storage(purpose),
      dig(previousStatus, 'storage', purpose, 'id'),
      accountHomes[purpose],
      ACCOUNT_TYPE,
      azureNames.storage(spec, purpose),
    );
    if (id) storageIds[purpose] = id;
  }
  // What the data stores are told a store's ID is, for endpoints made before the store reports it:
  // the target an earlier endpoint of the cluster's was made with (a new one replaces it), else what
  // they were told before. Never changed once told: a new spec would make them, and so the cluster,
  // unready again until they reconcile it.
  const toldId = (endpointKey: string, before: string | undefined, id: string | undefined) =>
    digString(observed.get(endpointKey), 'spec', 'forProvider', 'privateServiceConnection', 'privateConnectionResourceId') ?? before ?? id;

  const storesSpec: StoresSpec = {
    cluster: spec.name,
    region: stamp.region,
    providerConfigRef: { ...stamp.providerConfigRef },
    tags: { ...stamp.tags },
    retain: spec.deletionPolicy === 'Retain',
    dataResourceGroupName: spec.dataResourceGroupName,
    keyVault: {
      name: vaultName,
      resourceGroupName: vaultHome,
      tenantId: spec.tenantId,
      softDeleteRetentionDays: spec.keyVault.softDeleteRetentionDays,
      ...optionalId(toldId(keys.keyVaultEndpoint, told?.keyVault?.id, keyVaultId)),
    },
    storage: Object.fromEntries(
      STORAGE_PURPOSES.map((purpose) => [
        purpose,
        {
          name: azureNames.storage(spec, purpose),
          resourceGroupName: accountHomes[purpose],
          replication: spec.storage.replication,
          sharedAccessKeyEnabled: sharedKeys[purpose],
          ...optionalId(toldId(keys.storageEndpoint(purpose, 'blob'), told?.storage?.[purpose]?.id, storageIds[purpose])),
        },
      ]),
    ) as StoresSpec['storage'],
    privateEndpoints: {
      resourceGroupName: spec.resourceGroupName,
      subnetId: network.subnetIds.privateEndpoints,
      zoneIds: {
        vault: network.zoneIds.vault,
        blob: network.zoneIds.blob,
        file: network.zoneIds.file,
        queue: network.zoneIds.queue,
        table: network.zoneIds.table,
        dfs: network.zoneIds.dfs,
      },
    },
  };

  const moving = handover(observed, held, {
    running: child !== undefined && dig(child, 'metadata', 'annotations', PAUSED) === undefined,
    composed: child !== undefined,
    told: child !== undefined && holds(told, storesSpec),
    ready: observed.isReady(keys.resourceGroup),
  });
  for (const [key, manifest] of moving.held) desired.set(key, manifest);
  const compose = moving.child;
  const waits = handoverWaits(moving, { orphaning: composedGates.storesOrphaning(), paused: composedGates.storesPaused() });
  if (compose !== 'no') {
    desired.set(keys.dataStores, {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: {
        name: dataStoresXrName(spec.name),
        labels: { [LABEL_CLUSTER]: spec.name, [LABEL_ENVIRONMENT]: spec.environment },
        ...(compose === 'paused' && { annotations: { [PAUSED]: 'true' } }),
      },
      spec: storesSpec,
    });
  } else if (waits.length === 0) {
    waits.push(composedGates.storesResourceGroup(spec.resourceGroupName));
  }

  const homes = [vaultHome, ...Object.values(accountHomes)];
  const keyVaultUri = reported?.keyVault?.uri ?? observed.atProvider(keys.keyVault, 'vaultUri');
  return {
    storageIds,
    ...(keyVaultId && { keyVaultId }),
    ...(keyVaultUri && { keyVaultUri }),
    clusterGroupHoldsData: homes.includes(spec.resourceGroupName),
    resourceGroupName: accountHomes.core,
    waits,
  };
}

function optionalId(id: string | undefined): { id?: string } {
  return id ? { id } : {};
}

/** The cluster's resource group, retained when it holds data stores an earlier version put there. */
export function retainedClusterGroupPolicies(spec: ClusterSpec, stores: DataStores): { managementPolicies?: ResourceGroupSpecManagementPolicies[] } {
  return spec.deletionPolicy === 'Retain' && stores.clusterGroupHoldsData ? { managementPolicies: [...RETAINED_GROUP_POLICIES] } : {};
}
