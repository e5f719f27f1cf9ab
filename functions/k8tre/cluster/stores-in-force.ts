import { dig } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import type { StoresSpec, StoresStatus } from '../stores/contract.js';
import { keys, STORAGE_PURPOSES, type StoragePurpose } from './naming.js';
import { definedFields } from '../lib/records.js';

// What is in force for the cluster's data stores, which the day-2 checks hold a spec to: read from
// the cluster's own resources while it still holds them (data-stores.ts moves them), else from its
// XK8treDataStores.

/** Names, Shared Key and replication in force: an old resource's, else what the data stores were told or report. */
export function storesInForce(observed: Observed): {
  names: { dataResourceGroup?: string; keyVault?: string; storage: Partial<Record<StoragePurpose, string>> };
  storage: Partial<Record<StoragePurpose, { sharedAccessKeyEnabled?: boolean; replication?: string }>>;
} {
  const told = dig(observed.get(keys.dataStores), 'spec') as Partial<StoresSpec> | undefined;
  const reported = dig(observed.get(keys.dataStores), 'status') as StoresStatus | undefined;
  const legacyName = (key: string) => observed.externalName(key);
  return {
    names: {
      dataResourceGroup: legacyName(keys.dataResourceGroup) ?? told?.dataResourceGroupName,
      keyVault: legacyName(keys.keyVault) ?? told?.keyVault?.name,
      storage: Object.fromEntries(STORAGE_PURPOSES.map((purpose) => [purpose, legacyName(keys.storage(purpose)) ?? told?.storage?.[purpose]?.name])),
    },
    storage: Object.fromEntries(
      STORAGE_PURPOSES.map((purpose) => {
        const account = observed.get(keys.storage(purpose));
        const shared = account
          ? (dig(account, 'status', 'atProvider', 'sharedAccessKeyEnabled') ?? dig(account, 'spec', 'forProvider', 'sharedAccessKeyEnabled'))
          : (reported?.storage?.[purpose]?.sharedAccessKeyEnabled ?? told?.storage?.[purpose]?.sharedAccessKeyEnabled);
        const replication = account ? dig(account, 'spec', 'forProvider', 'accountReplicationType') : told?.storage?.[purpose]?.replication;
        return [
          purpose,
          definedFields({
            sharedAccessKeyEnabled: typeof shared === 'boolean' ? shared : undefined,
            replication: typeof replication === 'string' ? replication : undefined,
          }),
        ];
      }),
    ),
  };
}
