import { dig } from '../lib/json.js';
// Application Gateway routing-rule priorities. Azure evaluates a v2 gateway's listeners by the
// priority of their rules, lowest first, and a wildcard listener takes every host under it: "if
// the listener with *.contoso.com is processed first, then no client traffic is received by the
// more specific shop.contoso.com listener"
// (https://learn.microsoft.com/azure/application-gateway/multiple-site-overview).
//
// Each environment holds a slot, given once and kept: new environments take the lowest free one,
// in list order, so adding, removing or reordering environments never renumbers another (the
// reference used the list position, which did). Priorities follow from the slot and from how
// specific the environment's hosts are: the apex environment serves `*.<zone>`, which covers every
// other environment's hosts, so its rules sit in a band after all of theirs, whatever order the
// environments were added in. Within a band, the HTTPS rule takes slot × 10 (gateways made before
// the shared HTTP listener gave slot × 10 + 5 to each environment's HTTP redirect). The slot also
// gives each cluster its Cilium cluster ID.

const PRIORITY_STEP = 10;
/** Added to the apex environment's priorities; Azure allows up to 20,000. */
const APEX_BAND = 10_000;
const MAX_SLOT = APEX_BAND / PRIORITY_STEP - 1;

/** The rule that redirects every host from HTTP to HTTPS comes last: Azure's highest priority number. */
export const HTTP_REDIRECT_PRIORITY = 20_000;

export interface RoutingPriorities {
  readonly slot: number;
  readonly https: number;
}

export function planPriorities(
  environments: readonly { readonly name: string; readonly apex: boolean }[],
  previousSlots: ReadonlyMap<string, number>,
): Map<string, RoutingPriorities> {
  const taken = new Set<number>();
  const slots = new Map<string, number>();
  for (const { name } of environments) {
    const kept = previousSlots.get(name);
    if (kept !== undefined && isSlot(kept) && !taken.has(kept)) {
      slots.set(name, kept);
      taken.add(kept);
    }
  }
  let next = 1;
  for (const { name } of environments) {
    if (slots.has(name)) continue;
    while (taken.has(next)) next++;
    slots.set(name, next);
    taken.add(next);
  }
  const result = new Map<string, RoutingPriorities>();
  for (const { name, apex } of environments) {
    const slot = slots.get(name) ?? 0;
    const https = (apex ? APEX_BAND : 0) + slot * PRIORITY_STEP;
    result.set(name, { slot, https });
  }
  return result;
}

/**
 * The slot an environment's status records: routingSlot, or for a network made before the slot
 * was recorded, the slot its routingPriority was given from.
 */
export function recordedSlot(envStatus: unknown): number | undefined {
  const slot = dig(envStatus, 'routingSlot');
  if (typeof slot === 'number') return slot;
  const priority = dig(envStatus, 'routingPriority');
  return typeof priority === 'number' ? slotOfPriority(priority) : undefined;
}

/** The slot an HTTPS rule's priority was given from, in either band; undefined if it is none. */
export function slotOfPriority(priority: number): number | undefined {
  const inBand = priority >= APEX_BAND ? priority - APEX_BAND : priority;
  const slot = inBand / PRIORITY_STEP;
  return isSlot(slot) ? slot : undefined;
}

function isSlot(slot: number): boolean {
  return Number.isInteger(slot) && slot >= 1 && slot <= MAX_SLOT;
}
