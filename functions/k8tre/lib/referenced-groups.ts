import { FieldError } from './field-error.js';

// Resource groups an XR names through the Azure IDs in a spec (an existing hub, a landing zone's
// zones, a public DNS zone, a certificate vault, a management network): groups someone else owns.
// An XR's own group must be none of them, or the XR would adopt that group, take it over (tags,
// policies) and, with deletionPolicy Delete, delete it with everything in it.

const ARM_GROUP = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)/i;

export interface ReferencedGroup {
  /** The field that names it, e.g. spec.hub.existing.virtualNetworkId. */
  readonly field: string;
  readonly group: string;
}

export function referencedGroups(value: unknown, path: string): ReferencedGroup[] {
  if (typeof value === 'string') {
    const group = ARM_GROUP.exec(value)?.[1];
    return group ? [{ field: path, group }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => referencedGroups(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => referencedGroups(item, `${path}.${key}`));
  return [];
}

/** Why `group` may not be the XR's own, if one of the references names it. */
export function groupTaken(group: string, references: readonly ReferencedGroup[]): string | undefined {
  const taken = references.find((r) => r.group.toLowerCase() === group.toLowerCase());
  return (
    taken &&
    `${group} is the resource group of ${taken.field}, which this XR does not own; it would adopt the group, and deleting the XR could delete it. Name a group of its own`
  );
}

/** Throws on `field` when `group` is one the references name. */
export function checkGroupNotReferenced(field: string, group: string, references: readonly ReferencedGroup[]): void {
  const reason = groupTaken(group, references);
  if (reason) throw new FieldError(field, reason);
}
