import { isMap, isSeq, parseAllDocuments, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { waitFor, sleep } from '../../lib/kube.js';
import { cluster, network } from '../../platform.js';
import { checkArgoCdSecrets } from '../converge.js';
import { check, type Scenario } from '../scenario.js';
import { application, appState, describeApp, gitops, hardRefresh, ROOT_APP, waitSyncedHealthy } from './gitops.js';

// Issue 14's scenario 4: a team adds an environment by commit, as the README says (the
// network's environment list, the cluster file, its Application with the next wave, its
// Secret name in argocd-access.yaml), and ArgoCD, Crossplane and the provider take it from
// there. Then a commit deletes that cluster's file: the cluster stays, because XR
// Applications never prune.

const ENV = 'tst';
const APP = `k8tre-${ENV}`;
const PACKAGES_APP = 'k8tre-crossplane-packages';
const FILES = {
  network: 'examples/gitops/platform/network.yaml',
  template: 'examples/cluster/stg.yaml',
  cluster: `examples/cluster/${ENV}.yaml`,
  apps: 'examples/gitops/apps/xrs.yaml',
  access: 'examples/gitops/crossplane/argocd-access.yaml',
};

export const argocdCommit: Scenario = {
  name: 'argocd-commit',
  title: 'a commit that adds an environment is synced, composed and made ready; one that deletes its file deletes nothing',
  async run(platform, { facts }) {
    const { repo, waves } = gitops();
    const nextWave = Math.max(...waves.values()) + 1;

    // The README's four edits, one commit.
    const net = parseDocument(repo.read(FILES.network));
    (net.getIn(['spec', 'environments']) as YAMLSeq).add(net.createNode({ name: ENV }));
    repo.write(FILES.network, net.toString());

    const xr = parseDocument(repo.read(FILES.template));
    xr.setIn(['metadata', 'name'], ENV);
    xr.setIn(['spec', 'environment'], ENV);
    xr.commentBefore = ` The ${ENV} environment's cluster, added by the end-to-end run's commit.`;
    repo.write(FILES.cluster, xr.toString());

    const apps = parseAllDocuments(repo.read(FILES.apps));
    const last = apps.at(-1);
    if (!last) throw new Error(`${FILES.apps} declares no Application`);
    const added = parseDocument(last.toString());
    added.commentBefore = null;
    added.setIn(['metadata', 'name'], APP);
    added.setIn(['metadata', 'annotations', 'argocd.argoproj.io/sync-wave'], String(nextWave));
    added.setIn(['spec', 'source', 'directory', 'include'], `${ENV}.yaml`);
    repo.write(FILES.apps, `${repo.read(FILES.apps).trimEnd()}\n---\n${added.toString()}`);

    const access = parseAllDocuments(repo.read(FILES.access));
    const role = access.find((doc) => doc.get('kind') === 'Role');
    const named = (role?.get('rules') as YAMLSeq<YAMLMap> | undefined)?.items.find((rule) => isMap(rule) && rule.has('resourceNames'));
    const names = named?.get('resourceNames');
    if (!isSeq(names)) throw new Error(`${FILES.access} has no rule with resourceNames`);
    names.add(`k8tre-${ENV}-cluster`);
    repo.write(FILES.access, access.map((doc) => doc.toString()).join('---\n'));
    const addedAt = repo.commit(`Add the ${ENV} environment`);

    // ArgoCD polls git every 3 minutes; a webhook or a hard refresh says now.
    const t0 = Date.now();
    for (const app of [ROOT_APP, PACKAGES_APP, 'k8tre-network']) await hardRefresh(platform.admin, app);
    await waitSyncedHealthy(platform, [ROOT_APP, PACKAGES_APP, 'k8tre-network', APP], 15 * 60_000, addedAt);
    await platform.waitReady([network('k8tre'), cluster(ENV)], 60_000);
    await checkArgoCdSecrets(platform, ['dev', 'stg', 'prd', ENV]);
    facts.argocdAddEnvironmentSeconds = Math.round((Date.now() - t0) / 1000);

    // Deleting the file: the Application compares with nothing and, never pruning, leaves the XR.
    repo.remove(FILES.cluster);
    const deletedAt = repo.commit(`Remove the ${ENV} cluster's file`);
    await hardRefresh(platform.admin, APP);
    await waitFor(
      `${APP} to compare with the commit that deleted its file`,
      async () => {
        const state = appState(await application(platform.admin, APP));
        return state.revision === deletedAt && state.operationPhase !== 'Running' ? true : undefined;
      },
      3 * 60_000,
      async () => describeApp(APP, await application(platform.admin, APP)),
    );
    // Long enough for an automated sync (selfHeal polls every 5 s) to prune, were it allowed to.
    await sleep(20_000);
    const left = await platform.xr(cluster(ENV));
    check(left !== undefined && !left.metadata.deletionTimestamp, `deleting ${FILES.cluster} from git deleted the ${ENV} cluster`);
    const state = appState(await application(platform.admin, APP));
    check(state.sync === 'OutOfSync', `${APP} does not show that git no longer has the ${ENV} cluster (sync ${state.sync})`);
    check(
      state.resources.some((r) => r.kind === cluster(ENV).kind && r.requiresPruning === true),
      `${APP} does not list the ${ENV} cluster as one it would prune: ${JSON.stringify(state.resources)}`,
    );
    await platform.waitReady([cluster(ENV)], 60_000);
  },
};
