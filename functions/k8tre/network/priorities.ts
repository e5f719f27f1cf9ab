// Application Gateway routing-rule priorities, one slot per environment. The reference used
// the list position + 1, so inserting an environment re-prioritised every rule after it.
// Here a slot, once given, stays with its environment; new environments take the lowest
// free slot, in list order. Each slot spans ten priorities: the HTTPS rule takes the first
// and the HTTP redirect rule the sixth, leaving room between them for later rules.

export const PRIORITY_STEP = 10;
const MAX_PRIORITY = 20_000;

export interface RoutingPriorities {
  readonly https: number;
  readonly httpRedirect: number;
}

export function planPriorities(environments: readonly string[], previous: ReadonlyMap<string, number>): Map<string, RoutingPriorities> {
  const taken = new Set<number>();
  const slots = new Map<string, number>();
  for (const env of environments) {
    const kept = previous.get(env);
    if (kept !== undefined && isSlot(kept) && !taken.has(kept)) {
      slots.set(env, kept);
      taken.add(kept);
    }
  }
  let next = PRIORITY_STEP;
  for (const env of environments) {
    if (slots.has(env)) continue;
    while (taken.has(next)) next += PRIORITY_STEP;
    slots.set(env, next);
    taken.add(next);
  }
  const result = new Map<string, RoutingPriorities>();
  for (const [env, https] of slots) result.set(env, { https, httpRedirect: https + PRIORITY_STEP / 2 });
  return result;
}

function isSlot(priority: number): boolean {
  return Number.isInteger(priority) && priority >= PRIORITY_STEP && priority + PRIORITY_STEP / 2 <= MAX_PRIORITY && priority % PRIORITY_STEP === 0;
}
