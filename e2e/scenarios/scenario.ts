import type { Platform } from '../platform.js';

// A scenario drives the running platform and throws, with what it saw, when the platform does
// not behave as a user of Crossplane, ArgoCD and AKS would expect.

export interface ScenarioContext {
  /** Measurements for out/e2e.json. */
  readonly facts: Record<string, unknown>;
  readonly say: (message: string) => void;
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  run(platform: Platform, context: ScenarioContext): Promise<void>;
}

/** Fails the scenario with the message when the claim does not hold. */
export function check(claim: boolean, message: string | (() => string)): asserts claim {
  if (!claim) throw new Error(typeof message === 'string' ? message : message());
}

/** At most `n` entries of a list, for a readable failure message. */
export function some(list: readonly unknown[], n = 8): string {
  const shown = list.slice(0, n).map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  return `${shown.join('\n  ')}${list.length > n ? `\n  … and ${list.length - n} more` : ''}`;
}
