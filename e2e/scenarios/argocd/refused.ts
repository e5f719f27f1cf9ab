import { parseDocument } from 'yaml';
import { waitFor } from '../../lib/kube.js';
import { cluster } from '../../platform.js';
import { transitionMessages } from '../day2.js';
import { check, type Scenario } from '../scenario.js';
import { application, appState, describeApp, gitops, hardRefresh, waitSyncedHealthy } from './gitops.js';

// Issue 14's scenario 5: a commit with a destructive edit (dev's cluster renamed to another
// environment, which would replace every Azure resource it has) is refused by the XRD at
// admission. ArgoCD shows the failed sync with the XRD's message, and nothing changes. The
// team reverts the commit; the retry, which takes the latest revision (retry.refresh in
// apps/xrs.yaml), syncs the revert.

const APP = 'k8tre-dev';
const FILE = 'examples/cluster/dev.yaml';

export const argocdRefused: Scenario = {
  name: 'argocd-refused',
  title: "a commit with a destructive edit fails to sync with the XRD's message and changes nothing",
  async run(platform) {
    const { repo } = gitops();
    const before = await platform.xr(cluster('dev'));
    check(before !== undefined, 'the dev cluster is missing before the destructive commit');
    const xr = parseDocument(repo.read(FILE));
    xr.setIn(['spec', 'environment'], 'stg');
    repo.write(FILE, xr.toString());
    const refused = repo.commit('Move dev to the stg environment (destructive: the XRD refuses it)');
    await hardRefresh(platform.admin, APP);

    const expected = transitionMessages('cluster', 'environment');
    const result = await waitFor(
      `${APP}'s sync of the destructive commit to fail with the XRD's message`,
      async () => {
        const state = appState(await application(platform.admin, APP));
        if (state.operationRevision !== refused) return undefined;
        return state.operationResources.find((r) => r.kind === cluster('dev').kind && r.status === 'SyncFailed');
      },
      3 * 60_000,
      async () => describeApp(APP, await application(platform.admin, APP)),
    );
    check(
      expected.some((message) => result.message?.includes(message)),
      `the failed sync does not carry the XRD's message:\n  got: ${result.message}\n  expected one of: ${expected.join(' | ')}`,
    );
    const after = await platform.xr(cluster('dev'));
    check(after?.metadata.generation === before.metadata.generation, 'the refused commit still changed the dev cluster');

    // Git and the cluster agree again at once; the sync operation still has to stop retrying
    // the refused revision, which only a retry that takes the latest commit does.
    const reverted = repo.revert();
    await hardRefresh(platform.admin, APP);
    await waitSyncedHealthy(platform, [APP], 5 * 60_000, reverted);
    await waitFor(
      `${APP}'s retry to sync the revert`,
      async () => {
        const state = appState(await application(platform.admin, APP));
        return state.operationPhase === 'Succeeded' && state.operationRevision === reverted ? true : undefined;
      },
      5 * 60_000,
      async () => describeApp(APP, await application(platform.admin, APP)),
    );
    await platform.waitReady([cluster('dev')], 60_000);
  },
};
