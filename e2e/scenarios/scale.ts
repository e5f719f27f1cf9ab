import { GROUP } from '../../functions/k8tre/network/api.js';
import { sleep, waitFor, type KubeObject } from '../lib/kube.js';
import { CROSSPLANE_DEFAULT_BREAKER } from '../../functions/k8tre/lib/pacing.js';
import { network, type Platform } from '../platform.js';
import { isManaged } from './converge.js';
import { check, some, type Scenario } from './scenario.js';
import { checkNoDuplicates, checkNothingLost, compare, snapshot } from './snapshot.js';

// Issue 15's scale scenario. A network of a research platform with more than a hundred
// environments (examples/network/research-250.yaml, cut to SCALE_ENVIRONMENTS) converges on the
// loopback control plane, with the stand-in provider reporting each resource in steps as a
// provider does: a tree of a network, its spoke groups and a spoke per environment, thousands
// of managed resources. No XR of the tree reports Responsive=False, while it converges or after
// Crossplane restarts and lists everything anew; the restart deletes and replaces nothing.

const EXAMPLE = 'examples/network/research-250.yaml';
export const SCALE_NETWORK = 'research';
const NETWORK = SCALE_NETWORK;
/** Enough for two gateways (99 exposed environments each) and five spoke groups of 25. */
export const SCALE_ENVIRONMENTS = 101;

/** The example research network, with its first `count` environments. */
function firstEnvironments(count: number) {
  return (xr: KubeObject): KubeObject => {
    const spec = xr.spec as { environments: unknown[] };
    return { ...xr, spec: { ...spec, environments: spec.environments.slice(0, count) } };
  };
}

/** "<kind>/<namespace>/<name>" of an XR of the research network's tree. */
const inTree = (key: string) => {
  const name = key.split('/')[2] ?? '';
  return name === NETWORK || name.startsWith(`${NETWORK}-`);
};

export const scale: Scenario = {
  name: 'scale',
  title: `a network of ${SCALE_ENVIRONMENTS} environments converges, and survives a restart of Crossplane, with no XR unresponsive`,
  async run(platform, { facts, say }) {
    const started = Date.now();
    const managedBefore = await managedCount(platform);
    await platform.applyExample(EXAMPLE, firstEnvironments(SCALE_ENVIRONMENTS));
    say(`applied ${NETWORK} with ${SCALE_ENVIRONMENTS} environments; waiting for its tree to be Ready`);
    await platform.waitReady([network(NETWORK)], 40 * 60_000);
    const convergeSeconds = Math.round((Date.now() - started) / 1000);
    const tree = platform.monitor.keys().filter(inTree);
    const managed = (await managedCount(platform)) - managedBefore;
    say(`converged in ${convergeSeconds} s: ${tree.length} XRs, ${managed} managed resources`);
    const peaksAfterConverge = platform.processes.peaksMiB();
    const unresponsive = () => platform.monitor.unresponsive.filter((s) => inTree(s.xr) && Date.parse(s.at) >= started);
    check(unresponsive().length === 0, () => `XRs of ${NETWORK} reported Responsive=False while converging:\n  ${some(unresponsive())}`);

    // A restart lists everything anew: every object reaches its XR's breaker again.
    const before = await snapshot(platform);
    const released = platform.provider.released.size;
    const restartedAt = Date.now();
    say('restarting Crossplane');
    await platform.restartCrossplane();
    // Crossplane reconciles every XR once its caches are listed: wait until each XR controller
    // has made at least as many reconciles as it has XRs, then for the tree to be Ready.
    const xrsByController = new Map<string, number>();
    for (const key of platform.monitor.keys()) {
      const controller = `composite/${key.split('/')[0]!.toLowerCase()}s.${GROUP}`;
      xrsByController.set(controller, (xrsByController.get(controller) ?? 0) + 1);
    }
    await waitFor(
      `every XR controller to reconcile its XRs again (${JSON.stringify(Object.fromEntries(xrsByController))})`,
      async () => {
        platform.failIfDead();
        const reconciles: Record<string, number> = await platform.reconciles().catch(() => ({}));
        return [...xrsByController].every(([controller, xrs]) => (reconciles[controller] ?? 0) >= xrs) ? true : undefined;
      },
      10 * 60_000,
    );
    await platform.waitReady([network(NETWORK)], 10 * 60_000);
    const restartSettledSeconds = Math.round((Date.now() - restartedAt) / 1000);
    // Events dropped by an open breaker would show within its half-open interval (30 s).
    await sleep(30_000);
    const after = await snapshot(platform);
    checkNothingLost(compare(before, after), 'restarting Crossplane');
    checkNoDuplicates(after);
    check(platform.provider.released.size === released, `${platform.provider.released.size - released} managed resources were deleted after the restart`);
    check(unresponsive().length === 0, () => `XRs of ${NETWORK} reported Responsive=False after Crossplane restarted:\n  ${some(unresponsive())}`);

    facts.scale = {
      environments: SCALE_ENVIRONMENTS,
      xrs: tree.length,
      managedResources: managed,
      convergeSeconds,
      restartSettledSeconds,
      peakMemoryMiB: peaksAfterConverge,
      bucketNeededAtCrossplaneDefaults: {
        sinceApplied: platform.watchDemand.summary(CROSSPLANE_DEFAULT_BREAKER, started, inTree),
        afterRestart: platform.watchDemand.summary(CROSSPLANE_DEFAULT_BREAKER, restartedAt, inTree),
      },
      crossplaneArgs: platform.crossplane.args,
    };
  },
};

async function managedCount(platform: Platform): Promise<number> {
  return [...(await platform.composed()).values()].filter((o) => isManaged(platform, o)).length;
}
