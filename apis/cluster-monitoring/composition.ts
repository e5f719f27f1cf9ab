import type { Construct } from 'constructs';
import { KIND, PLURAL } from '../../functions/k8tre/cluster-monitoring/api.js';
import { FunctionComposition } from '../lib/composition.js';

export class ClusterMonitoringComposition extends FunctionComposition {
  constructor(scope: Construct, id: string) {
    super(scope, id, { kind: KIND, plural: PLURAL, api: 'cluster-monitoring' });
  }
}
