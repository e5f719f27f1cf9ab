import type { Construct } from 'constructs';
import { KIND, PLURAL } from '../../functions/k8tre/firewall/api.js';
import { FunctionComposition } from '../lib/composition.js';

export class FirewallComposition extends FunctionComposition {
  constructor(scope: Construct, id: string) {
    super(scope, id, { kind: KIND, plural: PLURAL, api: 'firewall' });
  }
}
