import type { Construct } from 'constructs';
import { KIND, PLURAL } from '../../functions/k8tre/stores/api.js';
import { FunctionComposition } from '../lib/composition.js';

export class DataStoresComposition extends FunctionComposition {
  constructor(scope: Construct, id: string) {
    super(scope, id, { kind: KIND, plural: PLURAL, api: 'data-stores' });
  }
}
