import type { Manifest } from '../lib/manifest.js';

/** The composed resources one reconcile wants, keyed by composition resource name. */
export type DesiredResources = Map<string, Manifest>;
