import type { Construct } from 'constructs';
import { KIND } from '../../functions/k8tre/cluster/api.js';
import { FunctionComposition } from '../lib/composition.js';
import { PLURAL } from './definition.js';

export class ClusterComposition extends FunctionComposition {
  constructor(scope: Construct, id: string) {
    super(scope, id, { kind: KIND, plural: PLURAL, api: 'cluster' });
  }
}
