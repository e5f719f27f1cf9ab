export { API_VERSION } from '../network/api.js';

// The XRD between a cluster and its data stores, composed by XK8treCluster, never by people. The
// cluster decides every name, group and setting and writes them into the spec (contract.ts); the
// data stores compose the Key Vault, the storage accounts and their private endpoints, and report
// their IDs. A cluster so composes a bounded number of resources (spoke/tree.ts's bound), and the
// stores that hold research data have an XR of their own.

export const KIND = 'XK8treDataStores';
export const PLURAL = 'xk8tredatastores';
