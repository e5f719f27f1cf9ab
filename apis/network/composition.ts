import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { GROUP, KIND, VERSION } from '../../functions/k8tre/network/api.js';
import { Composition, CompositionSpecMode } from '../../imports/apiextensions.crossplane.io.js';
import { FUNCTION_NAME } from '../package.js';
import { PLURAL } from './definition.js';

/**
 * One step: the function composes every resource and sets each one's readiness from its
 * observed Ready condition, so no separate auto-ready function is needed.
 */
export class NetworkComposition extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Composition(this, 'composition', {
      metadata: { name: `${PLURAL}.${GROUP}`, labels: { 'azure.k8tre.io/api': 'network' } },
      spec: {
        compositeTypeRef: { apiVersion: `${GROUP}/${VERSION}`, kind: KIND },
        mode: CompositionSpecMode.PIPELINE,
        pipeline: [{ step: 'compose-network', functionRef: { name: FUNCTION_NAME } }],
      },
    });
  }
}
