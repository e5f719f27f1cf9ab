import { isObject } from './json.js';
import type { Manifest } from './manifest.js';
import type { Observed } from './observed.js';
import { definedFields } from './records.js';

/**
 * Every observed resource as desired, exactly as it stands (spec, name, labels, annotations;
 * no status). Used when the function cannot compose (bad input, a prerequisite gone
 * missing): an answer that omits an existing resource would tell Crossplane to delete it.
 */
export function holdObserved(observed: Observed, except: ReadonlySet<string> = new Set()): Map<string, Manifest> {
  const held = new Map<string, Manifest>();
  for (const name of observed.names()) {
    const resource = observed.get(name);
    if (!resource || except.has(name) || typeof resource.apiVersion !== 'string' || typeof resource.kind !== 'string') continue;
    const metadata = isObject(resource.metadata) ? resource.metadata : {};
    held.set(name, {
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      metadata: definedFields({
        name: typeof metadata.name === 'string' ? metadata.name : undefined,
        labels: isObject(metadata.labels) ? (metadata.labels as Record<string, string>) : undefined,
        annotations: isObject(metadata.annotations) ? (metadata.annotations as Record<string, string>) : undefined,
      }),
      ...(isObject(resource.spec) && { spec: resource.spec }),
    });
  }
  return held;
}

/** One observed resource as desired, exactly as it stands; it must be observed. */
export function holdOne(observed: Observed, name: string): Manifest {
  const held = holdObserved(observed, new Set(observed.names().filter((n) => n !== name))).get(name);
  if (!held) throw new Error(`internal: ${name} is not observed, so it cannot be held`);
  return held;
}
