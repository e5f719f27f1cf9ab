import { composedCurrentSpec } from './composed-generation.js';
import { isObject, type JsonObject } from './json.js';
import type { Observed } from './observed.js';

// A composed XR of this package (a spoke group, a spoke) is ready for its parent only once it is
// Ready for the spec the parent now asks of it. Its Ready condition otherwise describes an older
// spec: in the reconcile that adds an environment, and until the child reconciles the change, the
// group still reports Ready for its old spokes. `npm run e2e` saw a network report Ready for a
// spec whose new environment had nothing composed yet.

/**
 * Whether the observed child is Ready for its latest generation, has composed that generation
 * (Crossplane can stamp Ready with a generation it did not compose: composed-generation.ts), and
 * already has every field desired.
 */
export function childXrIsCurrent(observed: Observed, name: string, desired: JsonObject): boolean {
  const child = observed.get(name);
  return observed.isReadyForLatestGeneration(name) && composedCurrentSpec(child) && holds(child?.spec, desired.spec);
}

/**
 * Whether `observed` holds every value in `desired`: the API server may add fields (the XRD's
 * defaults, Crossplane's `spec.crossplane`), never change one asked for.
 */
export function holds(observed: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed) || observed.length !== desired.length) return false;
    for (let i = 0; i < desired.length; i++) if (!holds(observed[i], desired[i])) return false;
    return true;
  }
  if (isObject(desired)) {
    if (!isObject(observed)) return false;
    // for-in rather than Object.entries: a spoke group's spec is compared on every reconcile,
    // and the pairs were a tenth of what composing a network allocated.
    for (const key in desired) {
      const value = desired[key];
      if (value !== undefined && !holds(observed[key], value)) return false;
    }
    return true;
  }
  return observed === desired;
}
