import { memoized } from './memo.js';

/** The parts of an Azure resource ID, `/subscriptions/<s>/resourceGroups/<g>/providers/<ns>/<type>/<name>`. */
export interface ArmId {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  /** `/subscriptions/<s>/resourceGroups/<g>`: the scope of a role on the resource's group. */
  readonly resourceGroupId: string;
  /** The last segment: the resource's own name. */
  readonly name: string;
}

/** Remembered: a network of 100 environments parses the same few hundred IDs on every reconcile. */
export const parseArmId: (id: string) => ArmId = memoized((id) => {
  const parts = id.split('/');
  return Object.freeze({
    subscriptionId: parts[2] ?? '',
    resourceGroupName: parts[4] ?? '',
    resourceGroupId: parts.slice(0, 5).join('/'),
    name: parts.at(-1) ?? '',
  });
});
