import type { Construct } from 'constructs';
import { statusSchema } from '../../functions/k8tre/lib/contract.js';
import { KIND, PLURAL } from '../../functions/k8tre/monitoring/api.js';
import { monitoringSpecContract, monitoringStatusContract } from '../../functions/k8tre/monitoring/contract.js';
import { XrdChart } from '../lib/definition.js';

/** XK8treMonitoring: written by an XK8treNetwork for its workspaces, Prometheus collection, action group and gateway alerts, from the same contract the function reads. */
export class MonitoringDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: KIND,
      plural: PLURAL,
      spec: monitoringSpecContract.schema,
      status: statusSchema(monitoringStatusContract),
      printerColumns: [
        { name: 'Network', jsonPath: '.spec.network' },
        { name: 'Action group', jsonPath: '.spec.actionGroup.name' },
      ],
    });
  }
}
