import { holdOne } from './hold.js';
import type { Wait } from './waits.js';
import { dig } from './json.js';
import type { Manifest } from './manifest.js';
import type { Observed } from './observed.js';
import { merged } from './records.js';

// Handing resources an XR composed over to a child XR, with nothing in Azure deleted or renamed.
//
// Crossplane deletes a composed resource that leaves its XR's desired state, and a provider then
// deletes it in Azure unless its management policies leave out Delete
// (https://docs.crossplane.io/latest/managed-resources/managed-resources/#managementpolicies). So
// the resources move in three steps, each taken only once the one before is observed:
//   1. the parent composes them as they stand, with management policies without Delete;
//   2. it composes the child, paused (Crossplane reconciles nothing paused), told the Azure names
//      they have, while still holding them;
//   3. once the paused child is observed so, it drops them (Crossplane deletes the objects and the
//      provider orphans what they manage) and unpauses the child, whose resources adopt them by
//      those names.
// One Azure resource is never managed by two objects. network/migration.ts moves a network's
// environments onto spokes this way, step by step per environment; a cluster hands its data stores
// (cluster/data-stores.ts) and workload identities (cluster/workload-identities.ts) over through
// `handover`.

/** Crossplane reconciles no XR with this annotation. */
export const PAUSED = 'crossplane.io/paused';

/** Everything the provider may do but delete. */
export const ORPHANING_POLICIES = ['Observe', 'Create', 'Update', 'LateInitialize'];

/**
 * ORPHANING_POLICIES in a kind's own enum: without Delete, deleting the object orphans the
 * resource in Azure instead of destroying it.
 */
export function orphaningPolicies<T>(policies: { readonly OBSERVE: T; readonly CREATE: T; readonly UPDATE: T; readonly LATE_INITIALIZE: T }): T[] {
  return [policies.OBSERVE, policies.CREATE, policies.UPDATE, policies.LATE_INITIALIZE];
}

/** The step a handover is at (see above). */
export type HandoverStep = 'orphaning' | 'paused' | 'handing-over';

/** Whether the provider would delete this resource in Azure when its object goes: its policies allow Delete. */
export function mayDelete(observed: Observed, key: string): boolean {
  const policies = dig(observed.get(key), 'spec', 'managementPolicies');
  return !Array.isArray(policies) || policies.includes('*') || policies.includes('Delete');
}

/** Step 1 (and 2): the resources as they stand, with policies that let nothing delete them. */
export function holdOrphaning(observed: Observed, keys: Iterable<string>): Map<string, Manifest> {
  const held = new Map<string, Manifest>();
  for (const key of keys) {
    const manifest = holdOne(observed, key);
    manifest.spec = merged<unknown>(manifest.spec, { managementPolicies: [...ORPHANING_POLICIES] });
    held.set(key, manifest);
  }
  return held;
}

/**
 * Which step: waiting for every held resource to be observed without Delete; waiting for the
 * paused child to be observed as told (`childTold`); or ready to hand over.
 */
export function handoverStep(observed: Observed, keys: Iterable<string>, childTold: boolean): HandoverStep {
  if ([...keys].some((key) => mayDelete(observed, key))) return 'orphaning';
  return childTold ? 'handing-over' : 'paused';
}

/** What a parent composes while it hands resources over to a child XR it composes. */
export interface Handover {
  /** The child XR: not composed yet, composed paused, or running. */
  readonly child: 'no' | 'paused' | 'running';
  /** The parent's resources it still composes, with policies that let nothing delete them. */
  readonly held: Map<string, Manifest>;
  /** The step the handover waits at, if it waits. */
  readonly waitingAt?: Exclude<HandoverStep, 'handing-over'>;
}

/**
 * The handover of `held` (keys of resources the parent composed, observed) to a child XR.
 * `running`: the child is composed unpaused; `composed`: it is composed at all; `told`: it is
 * observed holding everything it must adopt; `ready`: what a new child needs exists.
 */
export function handover(
  observed: Observed,
  held: readonly string[],
  child: { readonly running: boolean; readonly composed: boolean; readonly told: boolean; readonly ready: boolean },
): Handover {
  if (child.running) {
    // Never two objects deleting one Azure resource: one the child already took over goes only
    // once it can no longer delete.
    return {
      child: 'running',
      held: holdOrphaning(
        observed,
        held.filter((key) => mayDelete(observed, key)),
      ),
    };
  }
  if (held.length === 0) return { child: child.ready ? 'running' : 'no', held: new Map() };
  const step = handoverStep(observed, held, child.told);
  if (step === 'handing-over') return { child: 'running', held: new Map() };
  // A child once composed stays: a paused XR being deleted would wait for ever.
  return { child: step === 'paused' || child.composed ? 'paused' : 'no', held: holdOrphaning(observed, held), waitingAt: step };
}

/** What a handover waits for, as the caller's gate for each step; nothing once it waits no more. */
export function handoverWaits(moving: Handover, gates: Readonly<Record<Exclude<HandoverStep, 'handing-over'>, Wait>>): Wait[] {
  return moving.waitingAt ? [gates[moving.waitingAt]] : [];
}
