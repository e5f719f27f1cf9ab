import { limits } from '../cluster/api.js';
import { MAX_COMPOSED_PER_XR } from '../spoke/tree.js';

// A cluster's identities in the tree's bound (spoke/tree.ts):
//   XK8treCluster                  its own resources and one group per 25 identities
//   XK8treWorkloadIdentityGroup    up to 25 identities
//   XK8treWorkloadIdentity         one identity, its federated credentials and its role assignments
// An identity keeps the group it was first placed in (cluster/workload-identities.ts): leaving a
// group deletes its XR, and with it the identity in Azure and every client ID handed out.

export const IDENTITIES_PER_GROUP = 25;

/** Service accounts one identity is federated with: K8TRE's own need at most two (ArgoCD's). */
export const MAX_FEDERATIONS = 4;

/** Role assignments one identity holds: the user's limit, and external-dns's two. */
export const MAX_ROLES = Math.max(limits.rolesPerIdentity.max, 2);

// The identity, its federations and roles stay within the bound.
if (1 + MAX_FEDERATIONS + MAX_ROLES > MAX_COMPOSED_PER_XR) throw new Error('an XK8treWorkloadIdentity could compose more than the bound');
