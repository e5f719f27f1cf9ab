import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { GROUP, VERSION } from '../../functions/k8tre/network/api.js';
import { Composition, CompositionSpecMode } from '../../imports/apiextensions.crossplane.io.js';
import { FUNCTION_NAME } from '../package.js';

/**
 * Every API's Composition: one pipeline step that calls this package's function. The
 * function composes every resource and sets each one's readiness from its observed Ready
 * condition, so no separate auto-ready step is needed.
 */
export class FunctionComposition extends Chart {
  constructor(scope: Construct, id: string, props: { kind: string; plural: string; api: string }) {
    super(scope, id);
    new Composition(this, 'composition', {
      metadata: { name: `${props.plural}.${GROUP}`, labels: { 'azure.k8tre.io/api': props.api } },
      spec: {
        compositeTypeRef: { apiVersion: `${GROUP}/${VERSION}`, kind: props.kind },
        mode: CompositionSpecMode.PIPELINE,
        pipeline: [{ step: `compose-${props.api}`, functionRef: { name: FUNCTION_NAME } }],
      },
    });
  }
}
