import { orphaningPolicies } from '../lib/adoption.js';
import { ResourceGroup, ResourceGroupSpecManagementPolicies } from '../../../imports/azure.m.upbound.io.js';
import { Vault, VaultSpecManagementPolicies } from '../../../imports/keyvault.azure.m.upbound.io.js';
import { Account, AccountSpecManagementPolicies } from '../../../imports/storage.azure.m.upbound.io.js';
import * as contract from '../lib/contract.js';
import type { ComposeInput, Composition, DesiredResources } from '../lib/composition.js';
import { dig } from '../lib/json.js';
import { TAG } from '../lib/labels.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { gatedCondition, gates } from '../lib/waits.js';
import { ownSpec } from '../lib/own-spec.js';
import { meta, refTo, type Stamp } from '../lib/stamp.js';
import { clusterChildStamp } from '../cluster/child-contract.js';
import { keys, STORAGE_PURPOSES } from '../cluster/naming.js';
import { STORAGE_SERVICES, storesSpecContract, type StoresSpec, type StoresStatus } from './contract.js';
import { privateEndpoint } from './private-endpoint.js';
import { definedFields, merged } from '../lib/records.js';

// A cluster's Key Vault and storage accounts, with their private endpoints: research data, so
// they outlive the XR unless the cluster's deletionPolicy says Delete, in a resource group of
// their own.
//
// Their own group, because the provider will not delete a resource group that still holds
// resources (azurerm's prevent_deletion_if_contains_resources, on by default; provider-upjet-azure
// does not expose it; internal/services/resource/resource_group_resource.go): with the retained
// stores in the cluster's group, deleting the cluster would hang on that group for ever. Were the
// check off, Azure would delete the retained stores with the group. The data group is retained
// with them. Stores an earlier version made in the cluster's group stay there (moving one means
// replacing it): the cluster names that group in the spec, and retains it.

/** Without Delete in the management policies, deleting the XR orphans a store in Azure instead of destroying it. */
const retain = {
  group: orphaningPolicies(ResourceGroupSpecManagementPolicies),
  vault: orphaningPolicies(VaultSpecManagementPolicies),
  account: orphaningPolicies(AccountSpecManagementPolicies),
};

/** The policies that keep a resource group in Azure when its object goes, for the cluster's group when it holds stores. */
export const RETAINED_GROUP_POLICIES: readonly ResourceGroupSpecManagementPolicies[] = retain.group;

/** What a cluster's data stores hold back, told in their Composed condition. */
export const storesGates = gates('stores', 'Composed', {
  storeIds: () => "the stores' IDs, for their private endpoints",
});

export function composeDataStoresXr({ xr, observed }: ComposeInput): Composition {
  const spec = contract.read(storesSpecContract, ownSpec(xr), 'spec');
  const stamp = clusterChildStamp(xr, spec, keys.dataResourceGroup);
  const desired: DesiredResources = new Map();
  const ids = composeDataStores(spec, stamp, observed, desired);
  const status: StoresStatus = {
    keyVault: definedFields({ id: ids.keyVault || undefined, uri: observed.atProvider(keys.keyVault, 'vaultUri') || undefined }),
    storage: Object.fromEntries(
      STORAGE_PURPOSES.map((purpose) => {
        const shared = dig(observed.get(keys.storage(purpose)), 'status', 'atProvider', 'sharedAccessKeyEnabled');
        return [purpose, definedFields({ id: ids.storage[purpose] || undefined, sharedAccessKeyEnabled: typeof shared === 'boolean' ? shared : undefined })];
      }),
    ),
  };
  // A store without its ID has no private endpoint yet. Always sent, as Crossplane keeps a
  // condition the function stops sending.
  const waits = !ids.keyVault || STORAGE_PURPOSES.some((purpose) => !ids.storage[purpose]) ? [storesGates.storeIds()] : [];
  return { resources: desired, status, conditions: [gatedCondition('Composed', waits)] };
}

/** Composes the stores and their endpoints; returns the IDs known so far. */
function composeDataStores(
  spec: StoresSpec,
  stamp: Stamp,
  observed: Observed,
  desired: DesiredResources,
): { keyVault?: string; storage: Partial<Record<(typeof STORAGE_PURPOSES)[number], string>> } {
  const { providerConfigRef } = spec;
  const inDataGroup = (group: string) => group === spec.dataResourceGroupName;
  // The data group by reference, so a store waits for it; the cluster's, which exists, by name.
  const placeIn = (group: string, extraTags: Record<string, string> = {}) => ({
    location: spec.region,
    ...(inDataGroup(group) ? { resourceGroupNameRef: refTo(stamp, keys.dataResourceGroup) } : { resourceGroupName: group }),
    tags: merged(stamp.tags, extraTags),
  });
  // The ID a store has as soon as its group has one: endpoints need no wait for the store to report it.
  const storeId = (group: string, type: string, name: string) => {
    const groupId = inDataGroup(group) ? observed.atProvider(keys.dataResourceGroup, 'id') : undefined;
    return groupId && `${groupId}/providers/${type}/${name}`;
  };
  const endpointPlacement = (zone: keyof StoresSpec['privateEndpoints']['zoneIds']) => ({
    resourceGroupName: spec.privateEndpoints.resourceGroupName,
    subnetId: spec.privateEndpoints.subnetId,
    zoneId: spec.privateEndpoints.zoneIds[zone],
  });

  if ([spec.keyVault, ...Object.values(spec.storage)].some((store) => inDataGroup(store.resourceGroupName))) {
    desired.set(
      keys.dataResourceGroup,
      render(ResourceGroup, {
        metadata: meta(stamp, keys.dataResourceGroup, { azureName: spec.dataResourceGroupName }),
        spec: {
          providerConfigRef,
          ...(spec.retain && { managementPolicies: retain.group }),
          forProvider: { location: spec.region, tags: merged(stamp.tags, { [TAG.data]: 'true' }) },
        },
      }),
    );
  }

  const vault = spec.keyVault;
  desired.set(
    keys.keyVault,
    render(Vault, {
      metadata: meta(stamp, keys.keyVault, { azureName: vault.name }),
      spec: {
        providerConfigRef,
        ...(spec.retain && { managementPolicies: retain.vault }),
        forProvider: {
          tenantId: vault.tenantId,
          skuName: 'standard',
          rbacAuthorizationEnabled: true,
          purgeProtectionEnabled: true,
          softDeleteRetentionDays: vault.softDeleteRetentionDays,
          publicNetworkAccessEnabled: false,
          networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
          ...placeIn(vault.resourceGroupName),
        },
      },
    }),
  );
  const keyVaultId = observed.atProvider(keys.keyVault, 'id') ?? vault.id ?? storeId(vault.resourceGroupName, 'Microsoft.KeyVault/vaults', vault.name);
  if (keyVaultId) {
    desired.set(
      keys.keyVaultEndpoint,
      privateEndpoint(
        stamp,
        keys.keyVaultEndpoint,
        { azureName: vault.name, id: endpointTarget(observed, keys.keyVaultEndpoint, keyVaultId), subresource: 'vault' },
        endpointPlacement('vault'),
      ),
    );
  }

  const storage: Partial<Record<(typeof STORAGE_PURPOSES)[number], string>> = {};
  for (const purpose of STORAGE_PURPOSES) {
    const key = keys.storage(purpose);
    const account = spec.storage[purpose];
    desired.set(
      key,
      render(Account, {
        metadata: meta(stamp, key, { azureName: account.name }),
        spec: {
          providerConfigRef,
          ...(spec.retain && { managementPolicies: retain.account }),
          forProvider: {
            accountKind: 'StorageV2',
            accountTier: 'Standard',
            accountReplicationType: account.replication,
            isHnsEnabled: true,
            publicNetworkAccessEnabled: false,
            allowNestedItemsToBePublic: false,
            minTlsVersion: 'TLS1_2',
            httpsTrafficOnlyEnabled: true,
            crossTenantReplicationEnabled: false,
            defaultToOauthAuthentication: true,
            sharedAccessKeyEnabled: account.sharedAccessKeyEnabled,
            networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
            identity: { type: 'SystemAssigned' },
            ...placeIn(account.resourceGroupName, { [TAG.storage]: purpose }),
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
    const id = observed.atProvider(key, 'id') ?? account.id ?? storeId(account.resourceGroupName, 'Microsoft.Storage/storageAccounts', account.name);
    if (!id) continue;
    storage[purpose] = id;
    for (const service of STORAGE_SERVICES) {
      const endpointKey = keys.storageEndpoint(purpose, service);
      desired.set(
        endpointKey,
        privateEndpoint(
          stamp,
          endpointKey,
          { azureName: account.name, id: endpointTarget(observed, endpointKey, id), subresource: service },
          endpointPlacement(service),
        ),
      );
    }
  }
  return { storage, ...(keyVaultId && { keyVault: keyVaultId }) };
}

/**
 * What an endpoint connects to: the target an existing endpoint was made with, since a new
 * target means a new endpoint (privateConnectionResourceId forces replacement), else the store's ID.
 */
function endpointTarget(observed: Observed, endpointKey: string, storeId: string): string {
  const inForce = dig(observed.forProvider(endpointKey, 'privateServiceConnection'), 'privateConnectionResourceId');
  return typeof inForce === 'string' && inForce !== '' ? inForce : storeId;
}
