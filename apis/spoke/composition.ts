import type { Construct } from 'constructs';
import { GROUP_KIND, GROUP_PLURAL, KIND, PLURAL } from '../../functions/k8tre/spoke/api.js';
import { FunctionComposition } from '../lib/composition.js';

export class SpokeComposition extends FunctionComposition {
  constructor(scope: Construct, id: string) {
    super(scope, id, { kind: KIND, plural: PLURAL, api: 'spoke' });
  }
}

export class SpokeGroupComposition extends FunctionComposition {
  constructor(scope: Construct, id: string) {
    super(scope, id, { kind: GROUP_KIND, plural: GROUP_PLURAL, api: 'spoke-group' });
  }
}
