import type { Observed } from '../lib/observed.js';
import { storesInForce } from './stores-in-force.js';
import { STORAGE_PURPOSES, type StoragePurpose } from './naming.js';
import type { ClusterSpec } from './spec.js';

// Which storage accounts take Shared Key requests. A key reaches all of an account's data, and
// Storage Account Contributor, which the file CSI driver needs to mount with one, can list the keys
// (https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent). So keys are
// refused except where a mount needs them: K8TRE's rwx-default class provisions Azure Files shares on
// the core account and mounts them over SMB with the key. Mounting with the kubelet's managed
// identity instead (mountWithManagedIdentity, Storage File Data SMB MI Admin) needs SMB OAuth on the
// account, a setting azurerm's storage_account, and so provider-azure's Account, does not have
// (https://learn.microsoft.com/azure/aks/azure-files-csi, "managed identity"). Every other request,
// the blob CSI driver's and the provider's own (its ProviderConfig sets storageUseAzureAD),
// authenticates with Entra ID.

const DEFAULT_ACCESS: Readonly<Record<StoragePurpose, boolean>> = { core: true, workspace: false };

export interface SharedKeyAccess {
  readonly access: Readonly<Record<StoragePurpose, boolean>>;
  readonly warnings: readonly string[];
}

/**
 * spec.storage.sharedKeyAccess.<purpose> when set; otherwise what the account has in force, so
 * that upgrading the package does not cut off volumes mounted with a key (with a warning where that
 * keeps keys the default would refuse); otherwise the default above.
 */
export function resolveSharedKeyAccess(spec: ClusterSpec, observed: Observed): SharedKeyAccess {
  const warnings: string[] = [];
  const resolve = (purpose: StoragePurpose): boolean => {
    const chosen = spec.storage.sharedKeyAccess[purpose];
    if (chosen !== undefined) return chosen;
    // What Azure reports, else what was last asked for (an account still being created).
    const inForce = storesInForce(observed).storage[purpose]?.sharedAccessKeyEnabled;
    if (typeof inForce !== 'boolean') return DEFAULT_ACCESS[purpose];
    if (inForce && !DEFAULT_ACCESS[purpose]) {
      warnings.push(
        `spec.storage.sharedKeyAccess.${purpose}: the ${purpose} account takes Shared Key, as an earlier version left it; kept because volumes may mount with its key. ` +
          `Set it to false once none does, and the kubelet identity loses Storage Account Contributor there too`,
      );
    }
    return inForce;
  };
  const access = Object.fromEntries(STORAGE_PURPOSES.map((purpose) => [purpose, resolve(purpose)])) as Record<StoragePurpose, boolean>;
  return { access, warnings };
}
