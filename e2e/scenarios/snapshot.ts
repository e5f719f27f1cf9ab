import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { RESOURCE_NAME_ANNOTATION } from '../../scripts/lib/reconcile.js';
import { COMPOSITE_LABEL } from '../lib/stand-in-provider.js';
import type { Platform, XrRef } from '../platform.js';
import type { KubeObject } from '../lib/kube.js';
import { check, some } from './scenario.js';

// What every composed object is at one moment, to tell what a change deleted, replaced,
// renamed or touched: the same key with another uid was deleted and made again.

export interface Composed {
  readonly uid: string;
  readonly generation: number;
  /** The XR that composed it: its controller (a spoke, for a spoke's VNet), not the root XR Crossplane's composite label names. */
  readonly xr: string;
  readonly resourceName: string;
  readonly externalName?: string;
}

export type Snapshot = ReadonlyMap<string, Composed>;

export async function snapshot(platform: Platform): Promise<Snapshot> {
  const composed = await platform.composed();
  return new Map(
    [...composed].map(([key, object]) => [
      key,
      {
        uid: object.metadata.uid ?? '',
        generation: object.metadata.generation ?? 0,
        xr: composerOf(object),
        resourceName: object.metadata.annotations?.[RESOURCE_NAME_ANNOTATION] ?? '',
        externalName: object.metadata.annotations?.[EXTERNAL_NAME],
      },
    ]),
  );
}

/** How a snapshot names the XR that composed an object. */
export const composer = (ref: XrRef) => `${ref.kind}/${ref.name}`;

function composerOf(object: KubeObject): string {
  const controller = object.metadata.ownerReferences?.find((owner) => owner.controller);
  return controller ? `${controller.kind}/${controller.name}` : (object.metadata.labels?.[COMPOSITE_LABEL] ?? '');
}

export interface Difference {
  readonly added: string[];
  readonly removed: string[];
  /** Same key, another object: deleted and created again. */
  readonly replaced: string[];
  /** Same object, another name in Azure. */
  readonly renamed: string[];
  /** Same object, its spec changed. */
  readonly changed: string[];
}

export function compare(before: Snapshot, after: Snapshot): Difference {
  const added = [...after.keys()].filter((key) => !before.has(key));
  const removed = [...before.keys()].filter((key) => !after.has(key));
  const both = [...before.keys()].filter((key) => after.has(key));
  const was = (key: string) => before.get(key) as Composed;
  const now = (key: string) => after.get(key) as Composed;
  return {
    added,
    removed,
    replaced: both.filter((key) => was(key).uid !== now(key).uid),
    renamed: both.filter((key) => was(key).externalName !== undefined && was(key).externalName !== now(key).externalName),
    changed: both.filter((key) => was(key).uid === now(key).uid && was(key).generation !== now(key).generation),
  };
}

/** Fails unless nothing was deleted, replaced or renamed. */
export function checkNothingLost(difference: Difference, what: string): void {
  check(difference.removed.length === 0, () => `${what} deleted composed resources:\n  ${some(difference.removed)}`);
  check(difference.replaced.length === 0, () => `${what} replaced composed resources:\n  ${some(difference.replaced)}`);
  check(difference.renamed.length === 0, () => `${what} renamed resources in Azure:\n  ${some(difference.renamed)}`);
}

/** No XR composes two objects for one composition resource name. */
export function checkNoDuplicates(state: Snapshot): void {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const [key, composed] of state) {
    const id = `${composed.xr}/${composed.resourceName}`;
    const other = seen.get(id);
    if (other) duplicates.push(`${other} and ${key} are both ${id}`);
    seen.set(id, key);
  }
  check(duplicates.length === 0, () => `duplicate composed resources:\n  ${some(duplicates)}`);
}
