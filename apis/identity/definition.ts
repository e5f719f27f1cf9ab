import type { Construct } from 'constructs';
import { statusSchema } from '../../functions/k8tre/lib/contract.js';
import { GROUP_KIND, GROUP_PLURAL, KIND, PLURAL } from '../../functions/k8tre/identity/api.js';
import {
  identityGroupSpecContract,
  identityGroupStatusContract,
  identitySpecContract,
  identityStatusContract,
} from '../../functions/k8tre/identity/contract.js';
import { XrdChart } from '../lib/definition.js';

/** XK8treWorkloadIdentity: written by an XK8treCluster for each of its workload identities, from the same contract the function reads. */
export class WorkloadIdentityDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: KIND,
      plural: PLURAL,
      spec: identitySpecContract.schema,
      status: statusSchema(identityStatusContract),
      printerColumns: [
        { name: 'Cluster', jsonPath: '.spec.cluster' },
        { name: 'Identity', jsonPath: '.spec.azureName' },
        { name: 'Client ID', jsonPath: '.status.clientId' },
      ],
    });
  }
}

/** XK8treWorkloadIdentityGroup: written by an XK8treCluster for each group of its identities (functions/k8tre/identity/tree.ts). */
export class WorkloadIdentityGroupDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: GROUP_KIND,
      plural: GROUP_PLURAL,
      spec: identityGroupSpecContract.schema,
      status: statusSchema(identityGroupStatusContract),
      printerColumns: [{ name: 'Cluster', jsonPath: '.spec.cluster' }],
    });
  }
}
