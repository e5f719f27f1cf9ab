import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { accepts, freePort } from '../../scripts/lib/function-process.js';
import type { ControlPlane } from './control-plane.js';
import { waitFor, type Kube, type KubeObject } from './kube.js';
import type { Component, Processes } from './processes.js';

// ArgoCD's core install on the loopback control plane: its CRDs and the RBAC, ConfigMaps and
// Secret of the module's manifests/core-install.yaml (what `kubectl apply` of that file
// creates, minus the workloads), then Redis, the repo server, the application controller and
// the ApplicationSet controller as host processes, each controller as its own service account.
// No pod runs here, so this plays the kubelet for ArgoCD as the harness does for Crossplane.
// argocd-cm is not ArgoCD's: the walkthrough applies the project's before ArgoCD starts.

export const ARGOCD_NAMESPACE = 'argocd';
export const APPLICATION = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' } as const;
export const APPLICATION_SET = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet' } as const;

export interface ArgoCdBinaries {
  /** The multi-call binary scripts/e2e-tools.sh builds; ARGOCD_BINARY_NAME picks the component. */
  readonly argocd: string;
  /** The argo-cd module in the Go module cache: manifests/crds and manifests/core-install.yaml. */
  readonly module: string;
  readonly redis: string;
}

/** What core-install.yaml holds that is not a workload: the workloads run as processes here. */
const INSTALLED_KINDS = new Set(['ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret']);

export class ArgoCd {
  private constructor(
    /** Where ArgoCD caches, among other things, the resource trees its UI shows. */
    readonly redisPort: number,
  ) {}

  static async start(binaries: ArgoCdBinaries, plane: ControlPlane, processes: Processes, dir: string): Promise<ArgoCd> {
    await install(plane.client('admin'), binaries.module);
    mkdirSync(dir, { recursive: true });

    const [redisPort, repoPort, repoMetrics, controllerMetrics, setMetrics, setProbe, setWebhook] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const redis = `127.0.0.1:${redisPort}`;
    const repoServer = `127.0.0.1:${repoPort}`;
    const component = (binaryName: string, args: string[], env: Record<string, string> = {}) =>
      processes.start(binaryName, binaries.argocd, args, {
        // The repo server clones into TMPDIR; the controllers write nothing.
        env: { ARGOCD_BINARY_NAME: binaryName, TMPDIR: dir, HOME: dir, ...env },
      });

    await listening(
      processes.start('argocd-redis', binaries.redis, ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no']),
      redisPort,
    );
    await listening(
      component(
        'argocd-repo-server',
        ['--address=127.0.0.1', `--port=${repoPort}`, '--metrics-address=127.0.0.1', `--metrics-port=${repoMetrics}`, '--disable-tls', `--redis=${redis}`],
        // Signature verification needs gpg and a keyring; nothing here is signed.
        { ARGOCD_GPG_ENABLED: 'false' },
      ),
      repoPort,
    );
    const controller = component(
      'argocd-application-controller',
      [
        `--kubeconfig=${plane.kubeconfig('argocdController')}`,
        `--namespace=${ARGOCD_NAMESPACE}`,
        `--repo-server=${repoServer}`,
        '--repo-server-plaintext',
        `--redis=${redis}`,
        // Binds 0.0.0.0 with no flag for the host: the run's network namespace keeps it on loopback.
        `--metrics-port=${controllerMetrics}`,
      ],
      // The controller's in-cluster client reads this kubeconfig instead of a pod's token.
      { ARGOCD_FAKE_IN_CLUSTER: 'true', KUBECONFIG: plane.kubeconfig('argocdController') },
    );
    const applicationSets = component(
      'argocd-applicationset-controller',
      [
        `--kubeconfig=${plane.kubeconfig('argocdApplicationSet')}`,
        `--namespace=${ARGOCD_NAMESPACE}`,
        `--argocd-repo-server=${repoServer}`,
        '--repo-server-plaintext',
        `--metrics-addr=127.0.0.1:${setMetrics}`,
        `--probe-addr=127.0.0.1:${setProbe}`,
        `--webhook-addr=127.0.0.1:${setWebhook}`,
      ],
      { KUBECONFIG: plane.kubeconfig('argocdApplicationSet') },
    );
    await listening(controller, controllerMetrics);
    await listening(applicationSets, setProbe);
    return new ArgoCd(redisPort);
  }
}

/** ArgoCD's CRDs and the non-workload objects of its core install, in its namespace. */
async function install(admin: Kube, module: string): Promise<void> {
  const crds = join(module, 'manifests', 'crds');
  for (const file of readdirSync(crds).filter((f) => f.endsWith('-crd.yaml'))) for (const crd of documents(join(crds, file))) await admin.apply(crd);
  for (const kind of ['Application', 'ApplicationSet', 'AppProject']) await admin.waitServed('argoproj.io/v1alpha1', kind, 30_000);
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } });
  for (const object of documents(join(module, 'manifests', 'core-install.yaml'))) {
    if (!INSTALLED_KINDS.has(object.kind) || object.metadata.name === 'argocd-cm') continue;
    await admin.apply({ ...object, metadata: { ...object.metadata, namespace: isClusterScoped(object) ? undefined : ARGOCD_NAMESPACE } });
  }
  // argocd-server creates the default project at start; the core install has no server.
  await admin.apply({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'default', namespace: ARGOCD_NAMESPACE },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
  });
}

const isClusterScoped = (object: KubeObject) => object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding';

function documents(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null && typeof object === 'object' && 'kind' in object);
}

async function listening(component: Component, port: number): Promise<void> {
  await waitFor(
    `${component.name} to listen on 127.0.0.1:${port}`,
    async () => {
      component.assertRunning();
      return (await accepts(port)) ? true : undefined;
    },
    60_000,
  );
}
