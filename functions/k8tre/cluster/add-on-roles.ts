import type { DesiredResources } from '../lib/composition.js';
import type { Outcome, Wait } from '../lib/waits.js';
import { composedGates } from './gates.js';
import type { Observed } from '../lib/observed.js';
import { roleAssignment } from '../lib/role-assignment.js';
import type { Stamp } from '../lib/stamp.js';
import type { DataStores } from './data-stores.js';
import type { SharedKeyAccess } from './shared-keys.js';
import { azureNames, keys, STORAGE_PURPOSES } from './naming.js';
import type { ClusterSpec } from './spec.js';

/**
 * Storage and Key Vault roles for the identities that really use them. The reference gave
 * all of them to the control-plane identity, which never touches storage. AKS's blob and file
 * CSI drivers authenticate as the kubelet identity (the node's cloud-provider config), so the
 * kubelet identity gets the storage roles; the Key Vault Secrets Provider add-on has its own
 * identity, which gets read-only Secrets User instead of the reference's Secrets Officer.
 * Each role waits for its principal and its scope to be reported.
 */
export function composeAddOnRoles(
  spec: ClusterSpec,
  stamp: Stamp,
  observed: Observed,
  stores: DataStores,
  sharedKeys: SharedKeyAccess['access'],
  desired: DesiredResources,
): Outcome {
  const waits: Wait[] = [];
  const kubelet = observed.atProviderPath(keys.cluster, 'kubeletIdentity', 'objectId');
  if (!kubelet) waits.push(composedGates.kubeletIdentity());
  if (STORAGE_PURPOSES.some((purpose) => !stores.storageIds[purpose])) waits.push(composedGates.storageIds());
  for (const purpose of STORAGE_PURPOSES) {
    const account = stores.storageIds[purpose];
    if (!kubelet || !account) continue;
    const grants = [
      { slug: 'blob-data-contributor', role: 'Storage Blob Data Contributor', why: 'blob CSI driver reads and writes blobs' },
      // Only where Shared Key is on (shared-keys.ts): the file CSI driver creates
      // shares and lists the account key to mount them. The role can list keys, so an account
      // that refuses them does not get it.
      ...(sharedKeys[purpose]
        ? [{ slug: 'account-contributor', role: 'Storage Account Contributor', why: 'file CSI driver creates shares and mounts them with the account key' }]
        : []),
    ];
    for (const grant of grants) {
      const key = keys.kubeletStorageRole(purpose, grant.slug);
      desired.set(
        key,
        roleAssignment(stamp, {
          key,
          role: grant.role,
          scope: account,
          principalId: kubelet,
          why: `Kubelet identity of ${azureNames.cluster(spec)}: ${grant.why}`,
        }),
      );
    }
  }

  const secretsProvider = observed.atProviderPath(keys.cluster, 'keyVaultSecretsProvider', 'secretIdentity', 0, 'objectId');
  const vault = stores.keyVaultId;
  if (!secretsProvider) waits.push(composedGates.secretsProviderIdentity());
  if (!vault) waits.push(composedGates.keyVaultId(spec.resourceGroupName));
  if (secretsProvider && vault) {
    desired.set(
      keys.secretsProviderRole,
      roleAssignment(stamp, {
        key: keys.secretsProviderRole,
        role: 'Key Vault Secrets User',
        scope: vault,
        principalId: secretsProvider,
        why: 'Secrets Store CSI add-on reads secrets',
      }),
    );
  }
  return { waits };
}
