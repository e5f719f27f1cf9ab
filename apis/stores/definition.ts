import type { Construct } from 'constructs';
import { statusSchema } from '../../functions/k8tre/lib/contract.js';
import { KIND, PLURAL } from '../../functions/k8tre/stores/api.js';
import { storesSpecContract, storesStatusContract } from '../../functions/k8tre/stores/contract.js';
import { XrdChart } from '../lib/definition.js';

/** XK8treDataStores: written by an XK8treCluster for its Key Vault and storage, from the same contract the function reads. */
export class DataStoresDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: KIND,
      plural: PLURAL,
      spec: storesSpecContract.schema,
      status: statusSchema(storesStatusContract),
      printerColumns: [
        { name: 'Cluster', jsonPath: '.spec.cluster' },
        { name: 'Key Vault', jsonPath: '.spec.keyVault.name' },
      ],
    });
  }
}
