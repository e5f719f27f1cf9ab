import { COMPOSITE_LABEL, keyOf } from '../../lib/stand-in-provider.js';
import { check, some, type Scenario } from '../scenario.js';
import { application, appState, gitops, resourceTree, type TreeNode } from './gitops.js';
import { GITOPS_XRS } from './sync.js';

// Issue 14's scenario 3: ArgoCD's resource tracking and Crossplane together. ArgoCD tracks what
// it applied by annotation (argocd-cm.yaml), so the resources Crossplane composes, which carry
// the XR's labels, are not ArgoCD's: it shows them under their XR through their owner
// references, never lists them as its own, never prunes or re-syncs them and never reports
// them OutOfSync.

/** ArgoCD's tracking annotation, which only what an Application applied may carry. */
const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';

export const argocdTracking: Scenario = {
  name: 'argocd-tracking',
  title: 'ArgoCD shows what Crossplane composed under its XR and never claims, prunes, re-syncs or reports it OutOfSync',
  async run(platform, { facts }) {
    const { argocd, sampler, composedUids } = gitops();
    const composed = [...(await platform.composed()).values()];
    let shown = 0;
    for (const { xr, app: appName } of GITOPS_XRS) {
      const state = appState(await application(platform.admin, appName));
      const own = state.resources.map((r) => `${r.kind}/${r.name}`);
      // One sync, the first: had ArgoCD seen a difference in what Crossplane writes, selfHeal would have synced again.
      check(state.syncs === 1, `${appName} synced ${state.syncs} times with no commit, not once`);
      check(
        own.length === 1 && own[0] === `${xr.kind}/${xr.name}`,
        () => `${appName} lists as its own resources ${JSON.stringify(own)}, not only its XR: ArgoCD would prune or diff what Crossplane composed`,
      );

      const tree = await resourceTree(argocd, appName);
      const root = tree.find((n) => n.kind === xr.kind && n.name === xr.name);
      check(root !== undefined, `ArgoCD's tree for ${appName} does not show its XR`);
      const mine = composed.filter((o) => o.metadata.labels?.[COMPOSITE_LABEL] === xr.name);
      check(mine.length > 0, `nothing composed for ${xr.kind}/${xr.name}`);
      // Under it, or under an XR it composed (a network's spoke groups and spokes).
      const byUid = new Map(tree.filter((n) => n.uid).map((n) => [n.uid, n]));
      const descends = (node: TreeNode | undefined, seen = new Set<string>()): boolean =>
        (node?.parentRefs ?? []).some((p) => p.uid === root.uid || (p.uid !== undefined && !seen.has(p.uid) && descends(byUid.get(p.uid), seen.add(p.uid))));
      const notUnderXr = mine.filter(
        (o) => !descends(tree.find((n) => n.kind === o.kind && n.name === o.metadata.name && n.namespace === o.metadata.namespace)),
      );
      check(
        notUnderXr.length === 0,
        () => `ArgoCD does not show these composed resources under ${xr.kind}/${xr.name}:\n  ${some(notUnderXr.map((o) => `${o.kind}/${o.metadata.name}`))}`,
      );
      shown += mine.length;
    }
    const tracked = composed.filter((o) => o.metadata.annotations?.[TRACKING_ANNOTATION] !== undefined);
    check(
      tracked.length === 0,
      () => `composed resources carry ArgoCD's tracking annotation (copied from their XR?):\n  ${some(tracked.map((o) => `${o.kind}/${o.metadata.name}`))}`,
    );
    // Nothing deleted or replaced since the walkthrough converged: managed resources or any other kind.
    const now = new Map(composed.map((o) => [keyOf(o), o.metadata.uid ?? '']));
    const replaced = [...(composedUids ?? [])].filter(([key, uid]) => now.get(key) !== uid).map(([key]) => key);
    check(composedUids !== undefined && replaced.length === 0, () => `composed resources were deleted or replaced while ArgoCD synced:\n  ${some(replaced)}`);
    const flapped = [...sampler.outOfSyncAfterHealthy.keys()];
    check(flapped.length === 0, () => `Applications went OutOfSync after they were Synced and Healthy, with no commit: ${flapped.join(', ')}`);
    facts.composedShownUnderXrs = shown;
  },
};
