import { Vault, VaultSpecManagementPolicies } from '../../../imports/keyvault.azure.m.upbound.io.js';
import { Account, AccountSpecManagementPolicies } from '../../../imports/storage.azure.m.upbound.io.js';
import type { DesiredResources } from '../lib/composition.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { meta, placement, type Stamp } from '../lib/stamp.js';
import type { NetworkFacts, SharedZone } from './network-input.js';
import { azureNames, keys, type StoragePurpose } from './naming.js';
import { privateEndpoint } from './private-endpoint.js';
import type { ClusterSpec } from './spec.js';

export const STORAGE_PURPOSES: readonly StoragePurpose[] = ['workspace', 'core'];
/** HNS accounts serve dfs as well; the reference forgot its endpoint. */
const STORAGE_SERVICES: readonly SharedZone[] = ['blob', 'file', 'queue', 'table', 'dfs'];

/**
 * Data stores outlive the XR unless the user opts out: without Delete in the management
 * policies, deleting the XR orphans the vault and accounts instead of destroying research data.
 */
const retain = {
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

export function composeKeyVault(spec: ClusterSpec, stamp: Stamp, network: NetworkFacts, observed: Observed, desired: DesiredResources): void {
  const name = azureNames.keyVault(spec);
  desired.set(
    keys.keyVault,
    render(Vault, {
      metadata: meta(stamp, keys.keyVault, { azureName: name }),
      spec: {
        providerConfigRef: stamp.providerConfigRef,
        ...(spec.deletionPolicy === 'Retain' && { managementPolicies: retain.vault }),
        forProvider: {
          ...placement(stamp),
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
  const id = observed.atProvider(keys.keyVault, 'id');
  if (id) {
    desired.set(
      keys.keyVaultEndpoint,
      privateEndpoint(stamp, keys.keyVaultEndpoint, { azureName: name, id, subresource: 'vault' }, network.subnetIds.privateEndpoints, network.zoneIds.vault),
    );
  }
}

export function composeStorage(spec: ClusterSpec, stamp: Stamp, network: NetworkFacts, observed: Observed, desired: DesiredResources): void {
  for (const purpose of STORAGE_PURPOSES) {
    const name = azureNames.storage(spec, purpose);
    desired.set(
      keys.storage(purpose),
      render(Account, {
        metadata: meta(stamp, keys.storage(purpose), { azureName: name }),
        spec: {
          providerConfigRef: stamp.providerConfigRef,
          ...(spec.deletionPolicy === 'Retain' && { managementPolicies: retain.account }),
          forProvider: {
            ...placement(stamp, { 'k8tre-storage': purpose }),
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
            // Azure Files CSI mounts SMB shares with the account key, so shared keys stay on.
            sharedAccessKeyEnabled: true,
            networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
            identity: { type: 'SystemAssigned' },
          },
        },
      }),
    );
    const id = observed.atProvider(keys.storage(purpose), 'id');
    if (!id) continue;
    for (const service of STORAGE_SERVICES) {
      const key = keys.storageEndpoint(purpose, service);
      desired.set(
        key,
        privateEndpoint(stamp, key, { azureName: name, id, subresource: service }, network.subnetIds.privateEndpoints, network.zoneIds[service]),
      );
    }
  }
}
