export { API_VERSION } from '../network/api.js';

// The XRDs between a cluster and its workload identities, composed by XK8treCluster, never by
// people. The cluster decides every identity's name, federations and role scopes and writes them
// into the identity's spec (contract.ts); the identity composes the user-assigned identity, its
// federated credentials and its role assignments, and reports its client and principal IDs.
// Identities come in groups, so that a cluster composes a bounded number of resources however many
// identities its spec lists (tree.ts).

export const KIND = 'XK8treWorkloadIdentity';
export const PLURAL = 'xk8treworkloadidentities';
export const GROUP_KIND = 'XK8treWorkloadIdentityGroup';
export const GROUP_PLURAL = 'xk8treworkloadidentitygroups';
