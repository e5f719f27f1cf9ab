import type { Construct } from 'constructs';
import { GROUP_KIND, GROUP_PLURAL, KIND, PLURAL } from '../../functions/k8tre/identity/api.js';
import { FunctionComposition } from '../lib/composition.js';

export class WorkloadIdentityComposition extends FunctionComposition {
  constructor(scope: Construct, id: string) {
    super(scope, id, { kind: KIND, plural: PLURAL, api: 'workload-identity' });
  }
}

export class WorkloadIdentityGroupComposition extends FunctionComposition {
  constructor(scope: Construct, id: string) {
    super(scope, id, { kind: GROUP_KIND, plural: GROUP_PLURAL, api: 'workload-identity-group' });
  }
}
