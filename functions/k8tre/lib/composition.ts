import type { JsonObject } from './json.js';
import type { Manifest } from './manifest.js';
import type { Observed } from './observed.js';

// The contract between the gRPC handler and each API's composer. Composers are pure: they
// read the XR, what Crossplane observed and any required resources, and describe what
// should exist. The handler turns that into a RunFunctionResponse.

export interface ComposeInput {
  readonly xr: JsonObject;
  readonly observed: Observed;
  /** Required resources Crossplane fetched for this run, by requirement name. */
  readonly required: ReadonlyMap<string, readonly JsonObject[]>;
}

/**
 * An XR condition the composer owns, e.g. what it still waits for. Every one gates
 * readiness: while any is not ready, the XR is Ready=False, whatever its composed resources
 * say (an XR that waits has composed nothing, and Crossplane derives "all ready" from none).
 */
export interface XrCondition {
  readonly type: string;
  readonly ready: boolean;
  readonly reason: string;
  readonly message?: string;
}

/** Resources the function needs Crossplane to fetch before it can compose: one by name, or all with the labels. */
export type ResourceRequirement = {
  readonly name: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
} & ({ readonly matchName: string } | { readonly matchLabels: Readonly<Record<string, string>> });

export interface Composition {
  readonly resources: ReadonlyMap<string, Manifest>;
  readonly status: object;
  readonly conditions: readonly XrCondition[];
  readonly requirements?: readonly ResourceRequirement[];
  /** What the user should know but that does not stop composing, e.g. a version past its end of life. */
  readonly warnings?: readonly string[];
}

export type Composer = (input: ComposeInput) => Composition;

/** The composed resources one reconcile wants, keyed by composition resource name. */
export type DesiredResources = Map<string, Manifest>;
