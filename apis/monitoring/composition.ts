import type { Construct } from 'constructs';
import { KIND, PLURAL } from '../../functions/k8tre/monitoring/api.js';
import { FunctionComposition } from '../lib/composition.js';

export class MonitoringComposition extends FunctionComposition {
  constructor(scope: Construct, id: string) {
    super(scope, id, { kind: KIND, plural: PLURAL, api: 'monitoring' });
  }
}
