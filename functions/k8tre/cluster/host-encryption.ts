import type { Observed } from '../lib/observed.js';
import { keys, SYSTEM_POOL } from './naming.js';
import type { ClusterSpec } from './spec.js';

// Encryption at host encrypts the nodes' temporary disks and disk caches, which server-side
// encryption does not reach (https://learn.microsoft.com/azure/aks/enable-host-encryption). It is
// on for every new pool. Azure takes it only where the VM size supports it and the subscription
// has the Microsoft.Compute/EncryptionAtHost feature registered; a pool whose size lacks it sets
// hostEncryption: false.
//
// Changing it on a live pool makes the provider rotate the pool through its temporary pool
// (temporaryNameForRotation, aks.ts): every node is replaced. So a pool composed before this
// existed keeps what it has in force unless the XR says otherwise, and upgrading the package
// never recreates a node.

/**
 * Whether a pool encrypts at host, by its name (SYSTEM_POOL for the default pool); undefined for
 * a live pool that was never told, which is left to what Azure has (the provider late-initializes
 * it into the spec, after which it is in force like any value).
 */
export type HostEncryption = (pool: string) => boolean | undefined;

export function resolveHostEncryption(spec: ClusterSpec, observed: Observed): HostEncryption {
  return (pool) => {
    const system = pool === SYSTEM_POOL;
    const wanted = system ? spec.systemPool.hostEncryption : spec.nodePools.find((p) => p.name === pool)?.hostEncryption;
    if (wanted !== undefined) return wanted;
    const key = system ? keys.cluster : keys.nodePool(pool);
    if (!observed.has(key)) return true;
    const inForce = system ? observed.forProvider(key, 'defaultNodePool', 'hostEncryptionEnabled') : observed.forProvider(key, 'hostEncryptionEnabled');
    return typeof inForce === 'boolean' ? inForce : undefined;
  };
}
