import { sleep, waitFor, type KubeObject } from '../lib/kube.js';
import { cluster, network, type Platform } from '../platform.js';
import { EXAMPLE_XRS } from './converge.js';
import { check, type Scenario } from './scenario.js';
import { checkNoDuplicates, checkNothingLost, compare, composer, snapshot } from './snapshot.js';

// Issue 13's scenario 6. Crossplane and the function crash (SIGKILL) while a new environment and its cluster are
// half composed, and come back. Everything converges, nothing is composed twice and nothing
// that existed is deleted.

export const NEW_ENVIRONMENT = 'uat';
export const PLATFORM_WITH_UAT = [...EXAMPLE_XRS, cluster(NEW_ENVIRONMENT)];

/** The example network with one more environment. */
export function withEnvironment(name: string) {
  return (xr: KubeObject): KubeObject => {
    const spec = xr.spec as { environments: { name: string }[] };
    return { ...xr, spec: { ...spec, environments: [...spec.environments, { name }] } };
  };
}

/** The dev cluster example, as the cluster of another environment. */
export function clusterFor(environment: string) {
  return (xr: KubeObject): KubeObject => ({ ...xr, metadata: { ...xr.metadata, name: environment }, spec: { ...(xr.spec as object), environment } });
}

export const restart: Scenario = {
  name: 'restart',
  title: 'Crossplane and the function are killed mid-convergence and restarted',
  async run(platform, { facts, say }) {
    const before = await snapshot(platform);
    const releasedBefore = platform.provider.released.size;
    await platform.applyExample('examples/network/k8tre.yaml', withEnvironment(NEW_ENVIRONMENT));
    await platform.applyExample('examples/cluster/dev.yaml', clusterFor(NEW_ENVIRONMENT));

    // Mid-convergence: the new cluster has started composing, and is far from done.
    const uat = composer(cluster(NEW_ENVIRONMENT));
    await waitForComposed(platform, uat, 5);
    const composedAtCrash = [...(await snapshot(platform)).values()].filter((c) => c.xr === uat).length;
    say(`killing Crossplane and the function with ${composedAtCrash} resources of ${NEW_ENVIRONMENT} composed`);
    await platform.crashCrossplane();
    await platform.fn.crash();
    await sleep(3_000);
    await platform.fn.restart();
    platform.startCrossplane();
    say('restarted; waiting for every XR to be Ready');

    await platform.waitReady([network('k8tre'), ...PLATFORM_WITH_UAT.slice(1)], 15 * 60_000);
    say('converged; comparing');
    const after = await snapshot(platform);
    checkNothingLost(compare(before, after), 'restarting Crossplane and the function');
    checkNoDuplicates(after);
    check(platform.provider.released.size === releasedBefore, `${platform.provider.released.size - releasedBefore} managed resources were deleted`);
    facts.restart = { composedForUatAtCrash: composedAtCrash, composedForUatAfter: [...after.values()].filter((c) => c.xr === uat).length };
  },
};

async function waitForComposed(platform: Platform, xr: string, atLeast: number): Promise<void> {
  const composedFor = async () => [...(await snapshot(platform)).values()].filter((c) => c.xr === xr).length;
  await waitFor(
    `${xr} to compose ${atLeast} resources`,
    async () => {
      platform.failIfDead();
      return (await composedFor()) >= atLeast ? true : undefined;
    },
    2 * 60_000,
  );
}
