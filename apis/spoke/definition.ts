import type { Construct } from 'constructs';
import { statusSchema } from '../../functions/k8tre/lib/contract.js';
import { GROUP_KIND, GROUP_PLURAL, KIND, PLURAL } from '../../functions/k8tre/spoke/api.js';
import { spokeGroupSpecContract, spokeGroupStatusContract } from '../../functions/k8tre/spoke/group.js';
import { spokeSpecContract, spokeStatusContract } from '../../functions/k8tre/spoke/contract.js';
import { XrdChart } from '../lib/definition.js';

export { PLURAL };

/** XK8treSpoke: written by an XK8treNetwork for each environment, from the same contract the function reads. */
export class SpokeDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: KIND,
      plural: PLURAL,
      spec: spokeSpecContract.schema,
      status: statusSchema(spokeStatusContract),
      printerColumns: [
        { name: 'Environment', jsonPath: '.spec.environment' },
        { name: 'Address space', jsonPath: '.spec.addressSpace' },
      ],
    });
  }
}

/** XK8treSpokeGroup: written by an XK8treNetwork for each group of its spokes (functions/k8tre/spoke/tree.ts). */
export class SpokeGroupDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: GROUP_KIND,
      plural: GROUP_PLURAL,
      spec: spokeGroupSpecContract.schema,
      status: statusSchema(spokeGroupStatusContract),
      printerColumns: [{ name: 'Network', jsonPath: '.spec.network' }],
    });
  }
}
