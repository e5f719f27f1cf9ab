import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ArgoCd, ARGOCD_NAMESPACE } from '../../lib/argocd.js';
import { EXAMPLE_REPO_URL, GitRepo } from '../../lib/git-repo.js';
import type { KubeObject } from '../../lib/kube.js';
import { cluster, network, type Platform } from '../../platform.js';
import { checkArgoCdSecrets, checkComposedReady } from '../converge.js';
import { check, some, type Scenario } from '../scenario.js';
import { application, ArgoSampler, declaredApplications, gitops, ROOT_APP, setGitops, waitSyncedHealthy } from './gitops.js';

// Issue 14's scenario 1: the README's walkthrough, step for step, from an empty control plane.
// Its Azure steps (1 and 2: the management cluster and the identities) have nothing to stand
// for here beyond what the platform already is; the rest is done as a user does it:
//   2. the fork: examples/ in a git repository, the example repository URL replaced with its;
//   3. namespace argocd, bootstrap/argocd-cm.yaml, then ArgoCD;
//   4. bootstrap/root.yaml;
//   5. the waves: the packages and provider configs, the network, then dev, stg and prd;
//   6. each cluster registered with ArgoCD.
// One Application is left out of the fork: `crossplane` (wave 0, apps/crossplane.yaml) installs
// Crossplane's Helm chart, and nothing here runs pods or reaches charts.crossplane.io. The
// harness runs Crossplane as host processes with the arguments that Application gives the
// chart, as a kubelet would run the chart's.

const CROSSPLANE_APP = { file: 'examples/gitops/apps/crossplane.yaml', name: 'crossplane' };

/** The XRs the walkthrough syncs, each with the Application (apps/xrs.yaml) that applies it. */
export const GITOPS_XRS = [{ xr: network('k8tre'), app: 'k8tre-network' }, ...['dev', 'stg', 'prd'].map((env) => ({ xr: cluster(env), app: `k8tre-${env}` }))];

export const argocdSync: Scenario = {
  name: 'argocd-sync',
  title: "the README's walkthrough: from an empty control plane to a synced platform through ArgoCD alone",
  async run(platform, { facts, say }) {
    // 2. The fork.
    const repo = GitRepo.create(join(platform.dir, 'git'), (fork) =>
      fork.filterDocuments(CROSSPLANE_APP.file, (doc) => (doc.metadata as { name?: string } | undefined)?.name !== CROSSPLANE_APP.name),
    );
    check(!repo.read('examples/gitops/bootstrap/root.yaml').includes(EXAMPLE_REPO_URL), 'root.yaml still names the example repository');

    // 3. ArgoCD, with the Crossplane settings.
    await platform.admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } });
    await platform.admin.apply(parse(repo.read('examples/gitops/bootstrap/argocd-cm.yaml')) as KubeObject);
    const started = Date.now();
    const argocd = await ArgoCd.start(
      { argocd: platform.tools.argocd, module: platform.tools.argocdModule, redis: platform.tools.redis },
      platform.plane,
      platform.processes,
      join(platform.dir, 'argocd'),
    );
    facts.argocdStartSeconds = Math.round((Date.now() - started) / 100) / 10;
    const sampler = await ArgoSampler.start(platform.admin, argocd);
    const waves = declaredApplications(repo, repo.yamlFiles('examples/gitops/apps'));
    setGitops({ repo, argocd, waves, sampler });
    platform.onStop(() => {
      sampler.stop();
      setGitops(undefined);
    });

    // 4. Hand over to git.
    const handedOver = Date.now();
    for (const doc of parseAllDocuments(repo.read('examples/gitops/bootstrap/root.yaml'))) await platform.admin.apply(doc.toJS() as KubeObject);

    // 5. Watch it converge.
    say(`ArgoCD syncs ${[...waves.keys()].join(', ')} in waves`);
    await waitSyncedHealthy(platform, [ROOT_APP, ...waves.keys()], 25 * 60_000);
    facts.argocdConvergeSeconds = Math.round((Date.now() - handedOver) / 1000);
    await platform.waitReady(
      GITOPS_XRS.map((x) => x.xr),
      60_000,
    );
    await checkWaveOrder(platform, waves, sampler);
    const { composed } = await checkComposedReady(platform);
    gitops().composedUids = new Map([...composed].map(([key, object]) => [key, object.metadata.uid ?? '']));
    check(platform.monitor.falseReady.length === 0, () => `an XR was Ready=True while it still waited:\n  ${some(platform.monitor.falseReady)}`);

    // 6. The clusters registered with ArgoCD, as provider-kubernetes writes their Secrets.
    await checkArgoCdSecrets(platform, ['dev', 'stg', 'prd']);
  },
};

/**
 * Each wave's Applications were created only once every Application of the waves before was
 * Synced and Healthy: the app of apps waited, as its health check for Applications makes it.
 * creationTimestamp is truncated to the second, hence a second of slack, and a half for the
 * watch that saw the earlier one Healthy.
 */
async function checkWaveOrder(platform: Platform, waves: Map<string, number>, sampler: ArgoSampler): Promise<void> {
  const created = new Map<string, number>();
  for (const name of waves.keys()) created.set(name, Date.parse(String((await application(platform.admin, name))?.metadata.creationTimestamp ?? '')) || 0);
  const early: string[] = [];
  for (const [later, laterWave] of waves)
    for (const [earlier, earlierWave] of waves) {
      if (earlierWave >= laterWave) continue;
      const healthy = sampler.firstHealthy.get(earlier) ?? Infinity;
      if ((created.get(later) ?? 0) < healthy - 1_500)
        early.push(
          `${later} (wave ${laterWave}) was created ${((healthy - (created.get(later) ?? 0)) / 1000).toFixed(1)}s before ${earlier} (wave ${earlierWave}) was Healthy`,
        );
    }
  check(early.length === 0, () => `the app of apps did not wait for each wave:\n  ${some(early)}`);
}
