import { dig, type JsonObject } from './json.js';
import type { Schema } from './openapi.js';

// Which spec an XR's Ready condition describes. Crossplane stamps Ready with the XR's generation
// after the function answered, but it reads that generation from the XR its status patch returns
// (crossplane v2.3.4 composition_functions.go, "relying on the status patch ... to load the latest
// version"), so a reconcile that composed generation N and finished after an edit to N+1 reports
// Ready for N+1 without having composed it. `npm run e2e`'s day-2 saw a network report Ready for
// an added environment 2 s after the edit, because its spoke group had done just that. Crossplane's
// #7062 is the same reload seen from the other side.
//
// So the function writes the generation it composed into the XR's status, beside what it derived.
// Ready describes the current spec only where that equals metadata.generation: a parent reads its
// child XRs so (child-xr-readiness.ts), and so do the e2e harness and the ArgoCD health check.

/** The status field that carries the generation of the spec the function last composed. */
export const COMPOSED_GENERATION = 'observedGeneration';

/** Its schema, in every XRD's status. Named as Kubernetes names the field, so tools that follow the convention read it. */
export const composedGenerationSchema: Schema = {
  type: 'integer',
  description: 'The metadata.generation of the spec the function last composed. Ready describes the current spec only when this equals metadata.generation.',
};

/** The status field to write beside the function's status, for the XR of a request; none for an XR read from a file (`crossplane render`). */
export function composedGenerationOf(xr: JsonObject): Record<string, number> {
  const generation = dig(xr, 'metadata', 'generation');
  return typeof generation === 'number' ? { [COMPOSED_GENERATION]: generation } : {};
}

/**
 * Whether the function has composed the object's current spec. An object without a generation
 * (one read from a file) has only the spec it shows; one with a generation has composed it only
 * once its status says so.
 */
export function composedCurrentSpec(object: unknown): boolean {
  const generation = dig(object, 'metadata', 'generation');
  if (typeof generation !== 'number') return true;
  const composed = dig(object, 'status', COMPOSED_GENERATION);
  return typeof composed === 'number' && composed >= generation;
}
