import type { XrCondition } from './composition.js';
import { RESOURCES_SYNCED, type Observed } from './observed.js';

// Crossplane reports an XR Synced when it applied what the function asked for; whether Azure
// then accepted it, only the provider knows, in each managed resource's Synced condition. This
// brings Azure's refusal up to the XR, where `kubectl get` and ArgoCD look, naming the resource.

/** How many failing resources the message names, and how much of each message it keeps. */
const NAMED = 3;
const MESSAGE_CHARS = 500;

export function providerErrorsCondition(observed: Observed): XrCondition {
  const failing = observed
    .names()
    .sort()
    .flatMap((name) => {
      const error = observed.providerError(name);
      return error === undefined ? [] : [`${name}: ${error.length > MESSAGE_CHARS ? `${error.slice(0, MESSAGE_CHARS)}…` : error}`];
    });
  if (failing.length === 0) return { type: RESOURCES_SYNCED, ready: true, reason: 'AllSynced' };
  const more = failing.length > NAMED ? `; and ${failing.length - NAMED} more` : '';
  return { type: RESOURCES_SYNCED, ready: false, reason: 'ProviderError', message: `${failing.slice(0, NAMED).join('; ')}${more}` };
}
