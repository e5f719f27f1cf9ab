import type { Construct } from 'constructs';
import { KIND, PLURAL } from '../../functions/k8tre/cluster-monitoring/api.js';
import { clusterMonitoringSpecContract, clusterMonitoringStatusContract } from '../../functions/k8tre/cluster-monitoring/contract.js';
import { statusSchema } from '../../functions/k8tre/lib/contract.js';
import { XrdChart } from '../lib/definition.js';

/** XK8treClusterMonitoring: written by an XK8treCluster for its collection, diagnostics and alerts, from the same contract the function reads. */
export class ClusterMonitoringDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: KIND,
      plural: PLURAL,
      spec: clusterMonitoringSpecContract.schema,
      status: statusSchema(clusterMonitoringStatusContract),
      printerColumns: [
        { name: 'Cluster', jsonPath: '.spec.cluster' },
        { name: 'AKS', jsonPath: '.spec.aks.name' },
      ],
    });
  }
}
