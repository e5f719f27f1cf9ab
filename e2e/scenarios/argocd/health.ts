import { waitFor } from '../../lib/kube.js';
import { COMPOSITE_LABEL } from '../../lib/stand-in-provider.js';
import { cluster } from '../../platform.js';
import { check, some, type Scenario } from '../scenario.js';
import { appState, application, describeApp, gitops, resourceTree, type TreeNode } from './gitops.js';

// Issue 14's scenario 2: what ArgoCD shows for each XR is what argocd-cm.yaml's health checks
// say, evaluated by ArgoCD itself and read from ArgoCD's resource tree (what its UI shows):
// Progressing with the function's message while a cluster waits, Degraded with Azure's
// message while Azure refuses a composed resource, Healthy once ready.

/** What Upjet reports when Azure refuses a Key Vault (its format, Azure's code). */
const VAULT_REFUSAL =
  'create failed: async create failed: failed to create the resource: [{0 creating Key Vault: unexpected status 409 (409 Conflict) with error: VaultAlreadyExists: stand-in error for the end-to-end test}]';

/** The function's conditions the health check reports while a cluster waits (argocd-cm.yaml). */
const WAITING = /^Progressing: (NetworkReady|GatewayComposed|Composed|ArgoCDRegistered): \S/;

export const argocdHealth: Scenario = {
  name: 'argocd-health',
  title: "ArgoCD's own view uses the project's health checks: Progressing with the function's message, Degraded with Azure's, Healthy",
  async run(platform, { facts }) {
    const { argocd, sampler } = gitops();
    facts.argocdShowedDev = [...(sampler.xrHealth.get('k8tre-dev') ?? [])];
    for (const env of ['dev', 'stg', 'prd']) {
      const seen = [...(sampler.xrHealth.get(`k8tre-${env}`) ?? [])];
      check(
        seen.some((h) => WAITING.test(h)),
        () => `ArgoCD never showed the ${env} cluster Progressing with the step it waited for; it showed:\n  ${some(seen)}`,
      );
    }

    const stg = 'k8tre-stg';
    const xrNode = async () => (await resourceTree(argocd, stg)).find((n: TreeNode) => n.kind === cluster('stg').kind && !n.parentRefs?.length);
    platform.provider.fail({
      // The stg cluster's Vault, composed by its data stores (the label names the root XR): the refusal reaches the cluster through them.
      matches: (mr) => mr.kind === 'Vault' && mr.metadata.labels?.[COMPOSITE_LABEL] === 'stg',
      message: VAULT_REFUSAL,
    });
    const degraded = await waitFor(
      "ArgoCD to show the stg cluster Degraded with Azure's message",
      async () => {
        const node = await xrNode();
        return node?.health?.status === 'Degraded' ? node : undefined;
      },
      3 * 60_000,
      async () => `the tree shows ${JSON.stringify((await xrNode())?.health)}; ${describeApp(stg, await application(platform.admin, stg))}`,
    );
    check(degraded.health?.message?.includes('VaultAlreadyExists') === true, `the Degraded message does not carry Azure's: ${degraded.health?.message}`);
    check(/^\S+: /.test(degraded.health?.message ?? ''), `the Degraded message does not name the composed resource first: ${degraded.health?.message}`);
    await waitFor(
      'the stg Application to be Degraded',
      async () => (appState(await application(platform.admin, stg)).health === 'Degraded' ? true : undefined),
      60_000,
      async () => describeApp(stg, await application(platform.admin, stg)),
    );

    platform.provider.heal();
    await waitFor(
      'ArgoCD to show the stg cluster and its Application Healthy again',
      async () => ((await xrNode())?.health?.status === 'Healthy' && appState(await application(platform.admin, stg)).health === 'Healthy' ? true : undefined),
      5 * 60_000,
      async () => `the tree shows ${JSON.stringify((await xrNode())?.health)}; ${describeApp(stg, await application(platform.admin, stg))}`,
    );
    for (const env of ['dev', 'prd']) {
      const node = (await resourceTree(argocd, `k8tre-${env}`)).find((n) => n.kind === cluster(env).kind);
      check(node?.health?.status === 'Healthy', `ArgoCD shows the ready ${env} cluster as ${JSON.stringify(node?.health)}`);
    }
  },
};
