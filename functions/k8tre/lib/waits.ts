import type { XrCondition } from './composition.js';

// One shape for what a composer has not composed yet, and why. Every composer returns its waits
// beside what it writes into the desired resources; the XR's conditions are built from them
// alone (gatedCondition), so a gate that holds something back is always told on the XR, and
// nothing re-derives from observed state why a composer waits.

/** Something a composer waits for before composing part of what it owns. */
export interface Wait {
  /** Which gate of its catalogue (gates()): stable, so that a test can hold every gate shut. */
  readonly gate: string;
  /** The XR condition it holds back. */
  readonly condition: string;
  /** The condition's reason while it waits. */
  readonly reason: string;
  /** What it waits for: completes "Waiting for …" in that condition's message. */
  readonly message: string;
}

/** What a composer returns: its own facts, and what it waits for (none once all is composed). */
export type Outcome<T extends object = object> = T & { readonly waits: readonly Wait[] };

type Messages = Record<string, (...args: never[]) => string>;

/** A catalogue's gates: each makes the Wait for its message, and `names` lists them all for the tests. */
export type Gates<M extends Messages> = { readonly [K in keyof M]: (...args: Parameters<M[K]>) => Wait } & { readonly names: readonly string[] };

/**
 * A composer's (or an XR's) catalogue of gates, each named `<scope>.<key>`, holding back
 * `condition`. Every wait a composer reports comes from a catalogue, so the tests can check that
 * each gate in it is reported when shut.
 */
export function gates<M extends Messages>(scope: string, condition: string, messages: M, reason = 'WaitingForPrerequisites'): Gates<M> {
  const entries = Object.entries(messages).map(([key, message]) => [
    key,
    (...args: never[]): Wait => ({ gate: `${scope}.${key}`, condition, reason, message: message(...args) }),
  ]);
  // eslint-disable-next-line no-restricted-syntax -- once per catalogue, when its module loads
  return { ...Object.fromEntries(entries), names: Object.keys(messages).map((key) => `${scope}.${key}`) } as Gates<M>;
}

/** Every wait of the outcomes, in their order. */
export const waitsOf = (...outcomes: readonly ({ readonly waits: readonly Wait[] } | undefined | false)[]): Wait[] =>
  outcomes.flatMap((outcome) => (outcome ? outcome.waits : []));

/**
 * The condition `type`: ready when none of `waits` holds it back, else saying what each waits
 * for, in order. A message names what is waited for, not which parts are still missing, where
 * that would change at every reconcile (each change of the XR's status costs a watch event).
 */
export function gatedCondition(type: string, waits: readonly Wait[], readyReason = 'AllComposed'): XrCondition {
  const own = waits.filter((wait) => wait.condition === type);
  const messages = [...new Set(own.map((wait) => wait.message))];
  return own[0] === undefined
    ? { type, ready: true, reason: readyReason }
    : { type, ready: false, reason: own[0].reason, message: `Waiting for ${messages.join('; ')}` };
}
