import { APPLICATION, APPLICATION_SET, ARGOCD_NAMESPACE } from '../../lib/argocd.js';
import { waitFor } from '../../lib/kube.js';
import { checkArgoCdSecrets } from '../converge.js';
import { check, type Scenario } from '../scenario.js';
import { gitops } from './gitops.js';

// Issue 14's scenario 6: cluster registration as K8TRE needs it. The ArgoCD Secrets the
// composition writes through provider-kubernetes are clusters in ArgoCD's own list (its
// cluster generator reads that list, labels and all), and an ApplicationSet that selects
// clusters by K8TRE's labels, as K8TRE's app of apps does, generates one Application per
// environment, aimed at that environment's API server and named from its labels.

const APPSET = 'k8tre-environments';

export const argocdClusters: Scenario = {
  name: 'argocd-clusters',
  title: "each cluster's ArgoCD Secret is a cluster ArgoCD lists, and an ApplicationSet selecting K8TRE's labels generates one Application per environment",
  async run(platform, { facts }) {
    const { repo } = gitops();
    // The environments the walkthrough and the commit scenario registered (tst's file is gone, its cluster is not).
    await checkArgoCdSecrets(platform, ['dev', 'stg', 'prd', 'tst']);
    const secrets = await platform.admin.list('v1', 'Secret', ARGOCD_NAMESPACE, 'argocd.argoproj.io/secret-type=cluster');
    const expected = new Map(
      secrets.map((secret) => {
        const data = (secret.data ?? {}) as Record<string, string>;
        return [secret.metadata.labels?.environment ?? '', Buffer.from(data.server ?? '', 'base64').toString('utf8')];
      }),
    );
    check(
      expected.size === secrets.length && !expected.has(''),
      `cluster Secrets without a distinct environment label: ${secrets.map((s) => s.metadata.name).join(', ')}`,
    );

    await platform.admin.apply({
      ...APPLICATION_SET,
      metadata: { name: APPSET, namespace: ARGOCD_NAMESPACE },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          {
            clusters: {
              selector: {
                matchExpressions: [
                  { key: 'environment', operator: 'Exists' },
                  { key: 'external-domain', operator: 'Exists' },
                ],
              },
            },
          },
        ],
        template: {
          metadata: { name: 'k8tre-apps-{{ index .metadata.labels "environment" }}' },
          // Generated only: no sync policy, so nothing is sent to clusters that exist only in name here.
          spec: {
            project: 'default',
            source: { repoURL: repo.url, targetRevision: 'main', path: 'examples/gitops/platform' },
            destination: { server: '{{ .server }}', namespace: 'k8tre' },
          },
        },
      },
    });

    const generated = await waitFor(
      `${APPSET} to generate one Application per environment (${[...expected.keys()].join(', ')})`,
      async () => {
        const apps = (await platform.admin.list(APPLICATION.apiVersion, APPLICATION.kind, ARGOCD_NAMESPACE)).filter((app) =>
          app.metadata.ownerReferences?.some((owner) => owner.kind === APPLICATION_SET.kind && owner.name === APPSET),
        );
        return apps.length >= expected.size ? apps : undefined;
      },
      2 * 60_000,
      async () => JSON.stringify((await platform.admin.get(APPLICATION_SET.apiVersion, APPLICATION_SET.kind, APPSET, ARGOCD_NAMESPACE))?.status ?? {}),
    );
    const seen = new Map(generated.map((app) => [app.metadata.name, (app.spec as { destination?: { server?: string } }).destination?.server]));
    for (const [environment, server] of expected)
      check(
        seen.get(`k8tre-apps-${environment}`) === server,
        `no Application for ${environment} aimed at ${server}; generated: ${JSON.stringify(Object.fromEntries(seen))}`,
      );
    check(generated.length === expected.size, `${APPSET} generated ${generated.length} Applications for ${expected.size} clusters`);
    facts.argocdClustersGenerated = generated.length;
  },
};
