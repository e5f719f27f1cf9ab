import { dig, digString, isObject, type JsonObject } from './json.js';
import { EXTERNAL_NAME } from './manifest.js';

/**
 * What a provider reports, as Synced=False, while a resource it references is not ready yet:
 * waiting during every convergence, not an error (crossplane-runtime v2 pkg/reference).
 */
const WAITING_FOR_REFERENCE = ['referenced field was empty', 'cannot get referenced resource', 'no resources matched selector'];

/**
 * Read access to the composed resources Crossplane observed, keyed by composition resource
 * name. IDs that the providers only report in status (principal IDs, resource IDs) come
 * from here, as do earlier allocations the function must keep.
 */
/** The condition in which an XR of this package reports its composed resources' provider errors. */
export const RESOURCES_SYNCED = 'ResourcesSynced';

export class Observed {
  constructor(private readonly resources: ReadonlyMap<string, JsonObject>) {}

  static from(resources: Record<string, { resource?: unknown } | undefined>): Observed {
    const map = new Map<string, JsonObject>();
    for (const [name, entry] of Object.entries(resources)) if (isObject(entry?.resource)) map.set(name, entry.resource);
    return new Observed(map);
  }

  names(): string[] {
    return [...this.resources.keys()];
  }

  has(name: string): boolean {
    return this.resources.has(name);
  }

  get(name: string): JsonObject | undefined {
    return this.resources.get(name);
  }

  /** A string from `status.atProvider`, e.g. `id` or `principalId`. */
  atProvider(name: string, field: string): string | undefined {
    return digString(this.resources.get(name), 'status', 'atProvider', field);
  }

  /** A nested string from `status.atProvider`, e.g. `kubeletIdentity.objectId`. */
  atProviderPath(name: string, ...path: (string | number)[]): string | undefined {
    let current: unknown = dig(this.resources.get(name), 'status', 'atProvider');
    for (const step of path) current = typeof step === 'number' ? (Array.isArray(current) ? current[step] : undefined) : dig(current, step);
    return typeof current === 'string' && current !== '' ? current : undefined;
  }

  /** The Azure name the resource has: its crossplane.io/external-name. */
  externalName(name: string): string | undefined {
    return digString(this.resources.get(name), 'metadata', 'annotations', EXTERNAL_NAME);
  }

  /** A value from the resource's own `spec.forProvider`, as last applied. */
  forProvider(name: string, ...path: string[]): unknown {
    return dig(this.resources.get(name), 'spec', 'forProvider', ...path);
  }

  isReady(name: string): boolean {
    return this.condition(name, 'Ready')?.status === 'True';
  }

  /** Ready for its latest spec: Crossplane copies the generation it reconciled onto an XR's conditions. */
  isReadyForLatestGeneration(name: string): boolean {
    const ready = this.condition(name, 'Ready');
    const reconciled = ready?.observedGeneration;
    const generation = dig(this.resources.get(name), 'metadata', 'generation');
    return ready?.status === 'True' && !(typeof reconciled === 'number' && typeof generation === 'number' && reconciled < generation);
  }

  /**
   * The provider's error, when it last failed to reconcile the resource: `Synced=False`
   * carries Azure's message (Upjet's "create failed: … RESPONSE 400 …"). A child XR of this
   * package passes up its own resources' errors, from its ResourcesSynced condition
   * (provider-errors.ts), so a refusal reaches the XR people look at.
   */
  providerError(name: string): string | undefined {
    const synced = this.condition(name, 'Synced');
    if (synced?.status === 'False') {
      const message = typeof synced.message === 'string' ? synced.message : '';
      if (WAITING_FOR_REFERENCE.some((waiting) => message.includes(waiting))) return undefined;
      if (message !== '') return message;
      return typeof synced.reason === 'string' ? synced.reason : 'unknown error';
    }
    const children = this.condition(name, RESOURCES_SYNCED);
    return children?.status === 'False' && typeof children.message === 'string' && children.message !== '' ? children.message : undefined;
  }

  private condition(name: string, type: string): JsonObject | undefined {
    const conditions = dig(this.resources.get(name), 'status', 'conditions');
    return Array.isArray(conditions) ? conditions.find((c): c is JsonObject => isObject(c) && c.type === type) : undefined;
  }
}
