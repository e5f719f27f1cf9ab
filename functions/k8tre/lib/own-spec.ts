import { isObject, type JsonObject } from './json.js';

/** An XR's spec without `spec.crossplane`, which Crossplane adds to every XR (composition, resource refs). */
export function ownSpec(xr: JsonObject): JsonObject {
  const spec = isObject(xr.spec) ? xr.spec : {};
  return Object.fromEntries(Object.entries(spec).filter(([key]) => key !== 'crossplane'));
}
