import { ResourceGroup, ResourceGroupSpecManagementPolicies } from '../../../imports/azure.m.upbound.io.js';
import { Vault, VaultSpecManagementPolicies } from '../../../imports/keyvault.azure.m.upbound.io.js';
import { Account, AccountSpecManagementPolicies } from '../../../imports/storage.azure.m.upbound.io.js';
import type { DesiredResources } from '../lib/composition.js';
import { dig } from '../lib/json.js';
import { TAG } from '../lib/labels.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { meta, placement, refTo, type Stamp } from '../lib/stamp.js';
import type { PrivateLinkZone } from '../network/api.js';
import type { NetworkFacts } from './network-input.js';
import { azureNames, keys, STORAGE_PURPOSES, type StoragePurpose } from './naming.js';
import { privateEndpoint } from './private-endpoint.js';
import type { SharedKeyAccess } from './shared-keys.js';
import type { ClusterSpec } from './spec.js';

// The cluster's Key Vault and storage accounts: research data, so they outlive the XR unless the
// user opts out, in a resource group of their own.
//
// Their own group, because the provider will not delete a resource group that still holds
// resources (azurerm's prevent_deletion_if_contains_resources, on by default; provider-upjet-azure
// does not expose it; internal/services/resource/resource_group_resource.go): with the retained
// stores in the cluster's group, deleting the XR would hang on that group for ever. Were the check
// off, Azure would delete the retained stores with the group. The data group is retained with them. Stores made by an earlier version in the cluster's
// group stay there (moving one means replacing it); that group is then retained too, so that
// deleting the XR still completes, leaving it behind with the data.

/** HNS accounts serve dfs as well; the reference forgot its endpoint. */
const STORAGE_SERVICES: readonly PrivateLinkZone[] = ['blob', 'file', 'queue', 'table', 'dfs'];

/** Without Delete in the management policies, deleting the XR orphans a resource in Azure instead of destroying it. */
const retain = {
  group: [
    ResourceGroupSpecManagementPolicies.OBSERVE,
    ResourceGroupSpecManagementPolicies.CREATE,
    ResourceGroupSpecManagementPolicies.UPDATE,
    ResourceGroupSpecManagementPolicies.LATE_INITIALIZE,
  ],
  vault: [
    VaultSpecManagementPolicies.OBSERVE,
    VaultSpecManagementPolicies.CREATE,
    VaultSpecManagementPolicies.UPDATE,
    VaultSpecManagementPolicies.LATE_INITIALIZE,
  ],
  account: [
    AccountSpecManagementPolicies.OBSERVE,
    AccountSpecManagementPolicies.CREATE,
    AccountSpecManagementPolicies.UPDATE,
    AccountSpecManagementPolicies.LATE_INITIALIZE,
  ],
};

export interface DataStores {
  /** Azure IDs, known as soon as the stores' resource groups are: see storeId. */
  readonly keyVaultId?: string;
  readonly storageIds: Readonly<Partial<Record<StoragePurpose, string>>>;
  /** The cluster's own group holds stores made by an earlier version, so it is retained too. */
  readonly clusterGroupHoldsData: boolean;
  /** Where the data stores are: the data group, or for an earlier version's stores the cluster's. */
  readonly resourceGroupName: string;
}

export function composeDataStores(
  spec: ClusterSpec,
  stamp: Stamp,
  network: NetworkFacts,
  observed: Observed,
  sharedKeys: SharedKeyAccess['access'],
  desired: DesiredResources,
): DataStores {
  const policies = spec.deletionPolicy === 'Retain';
  // A store an earlier version put in the cluster's group is kept there.
  const home = (key: string) => (inClusterGroup(stamp, observed, key) ? keys.resourceGroup : keys.dataResourceGroup);
  const homes = [keys.keyVault, ...STORAGE_PURPOSES.map((purpose) => keys.storage(purpose))].map(home);
  if (homes.includes(keys.dataResourceGroup)) {
    desired.set(
      keys.dataResourceGroup,
      render(ResourceGroup, {
        metadata: meta(stamp, keys.dataResourceGroup, { azureName: spec.dataResourceGroupName }),
        spec: {
          providerConfigRef: stamp.providerConfigRef,
          ...(policies && { managementPolicies: retain.group }),
          forProvider: { location: stamp.region, tags: { ...stamp.tags, [TAG.data]: 'true' } },
        },
      }),
    );
  }
  const placeIn = (group: string, extraTags: Record<string, string> = {}) => placement(stamp, extraTags, group);

  const vaultName = azureNames.keyVault(spec);
  const vaultGroup = home(keys.keyVault);
  desired.set(
    keys.keyVault,
    render(Vault, {
      metadata: meta(stamp, keys.keyVault, { azureName: vaultName }),
      spec: {
        providerConfigRef: stamp.providerConfigRef,
        ...(policies && { managementPolicies: retain.vault }),
        forProvider: {
          ...placeIn(vaultGroup),
          tenantId: spec.tenantId,
          skuName: 'standard',
          rbacAuthorizationEnabled: true,
          purgeProtectionEnabled: true,
          softDeleteRetentionDays: spec.keyVault.softDeleteRetentionDays,
          publicNetworkAccessEnabled: false,
          networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
        },
      },
    }),
  );
  const keyVaultId = observed.atProvider(keys.keyVault, 'id') ?? storeId(observed, vaultGroup, 'Microsoft.KeyVault/vaults', vaultName);
  if (keyVaultId) {
    desired.set(
      keys.keyVaultEndpoint,
      privateEndpoint(
        stamp,
        keys.keyVaultEndpoint,
        { azureName: vaultName, id: endpointTarget(observed, keys.keyVaultEndpoint, keyVaultId), subresource: 'vault' },
        network.subnetIds.privateEndpoints,
        network.zoneIds.vault,
      ),
    );
  }

  const storageIds: Partial<Record<StoragePurpose, string>> = {};
  for (const purpose of STORAGE_PURPOSES) {
    const key = keys.storage(purpose);
    const name = azureNames.storage(spec, purpose);
    const group = home(key);
    desired.set(
      key,
      render(Account, {
        metadata: meta(stamp, key, { azureName: name }),
        spec: {
          providerConfigRef: stamp.providerConfigRef,
          ...(policies && { managementPolicies: retain.account }),
          forProvider: {
            ...placeIn(group, { [TAG.storage]: purpose }),
            accountKind: 'StorageV2',
            accountTier: 'Standard',
            accountReplicationType: spec.storage.replication,
            isHnsEnabled: true,
            publicNetworkAccessEnabled: false,
            allowNestedItemsToBePublic: false,
            minTlsVersion: 'TLS1_2',
            httpsTrafficOnlyEnabled: true,
            crossTenantReplicationEnabled: false,
            defaultToOauthAuthentication: true,
            // shared-keys.ts: only where a mount needs the key.
            sharedAccessKeyEnabled: sharedKeys[purpose],
            networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
            identity: { type: 'SystemAssigned' },
          },
        },
      }),
    );
    // The provider reads an account's queue and static-website properties through the storage
    // data plane on every observation (azurerm 4.x, storage_account_resource.go), which answers
    // 403 while public access is off and no endpoint exists. Until the read succeeds the account
    // reports no ID, so endpoints that waited for it would wait for ever. They are composed with
    // the ID the account will have as soon as its group has one, in the same reconcile, and the
    // provider reaches the data plane through them (the spoke's endpoint NSG admits the
    // management networks, whose DNS resolves the private-link zones).
    const id = observed.atProvider(key, 'id') ?? storeId(observed, group, 'Microsoft.Storage/storageAccounts', name);
    if (!id) continue;
    storageIds[purpose] = id;
    for (const service of STORAGE_SERVICES) {
      const endpointKey = keys.storageEndpoint(purpose, service);
      desired.set(
        endpointKey,
        privateEndpoint(
          stamp,
          endpointKey,
          { azureName: name, id: endpointTarget(observed, endpointKey, id), subresource: service },
          network.subnetIds.privateEndpoints,
          network.zoneIds[service],
        ),
      );
    }
  }

  const clusterGroupHoldsData = homes.includes(keys.resourceGroup);
  const resourceGroupName = home(keys.storage('core')) === keys.resourceGroup ? spec.resourceGroupName : spec.dataResourceGroupName;
  return { ...(keyVaultId && { keyVaultId }), storageIds, clusterGroupHoldsData, resourceGroupName };
}

/**
 * What an endpoint connects to: the target an existing endpoint was made with, since a new
 * target means a new endpoint (privateConnectionResourceId forces replacement), else the store's ID.
 */
function endpointTarget(observed: Observed, endpointKey: string, storeId: string): string {
  const inForce = dig(observed.forProvider(endpointKey, 'privateServiceConnection'), 'privateConnectionResourceId');
  return typeof inForce === 'string' && inForce !== '' ? inForce : storeId;
}

/** The ARM ID a store in a resource group has: the group's ID, which the provider reports, and the store's type and name. */
function storeId(observed: Observed, groupKey: string, type: string, name: string): string | undefined {
  const group = observed.atProvider(groupKey, 'id');
  return group ? `${group}/providers/${type}/${name}` : undefined;
}

function inClusterGroup(stamp: Stamp, observed: Observed, key: string): boolean {
  const ref = observed.forProvider(key, 'resourceGroupNameRef', 'name');
  return ref === refTo(stamp, keys.resourceGroup).name;
}

/** The cluster's resource group, retained when it holds data stores an earlier version put there. */
export function retainedClusterGroupPolicies(spec: ClusterSpec, stores: DataStores): { managementPolicies?: ResourceGroupSpecManagementPolicies[] } {
  return spec.deletionPolicy === 'Retain' && stores.clusterGroupHoldsData ? { managementPolicies: [...retain.group] } : {};
}
