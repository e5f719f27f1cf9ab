import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/function-process.js';
import { TestCa } from '../../scripts/lib/pki.js';
import { Kube, waitFor } from './kube.js';
import type { Processes } from './processes.js';

// etcd, kube-apiserver and kube-controller-manager on 127.0.0.1, from the binaries
// scripts/e2e-tools.sh builds. Authentication is by static tokens, one per identity, so that
// Crossplane and its RBAC manager run as their service accounts under real RBAC while the
// test driver and the stand-in provider act as cluster admins.

export interface KubeBinaries {
  readonly etcd: string;
  readonly apiserver: string;
  readonly controllerManager: string;
}

/** Who talks to the API server, and as whom. */
export const IDENTITIES = {
  admin: { user: 'k8tre-e2e-admin', groups: ['system:masters'] },
  provider: { user: 'k8tre-e2e-stand-in-provider', groups: ['system:masters'] },
  crossplane: { user: 'system:serviceaccount:crossplane-system:crossplane', groups: ['system:serviceaccounts', 'system:serviceaccounts:crossplane-system'] },
  rbacManager: { user: 'system:serviceaccount:crossplane-system:rbac-manager', groups: ['system:serviceaccounts', 'system:serviceaccounts:crossplane-system'] },
  /** provider-kubernetes and provider-helm in the GitOps install (examples/gitops/crossplane/runtime.yaml). */
  providerIncluster: {
    user: 'system:serviceaccount:crossplane-system:provider-incluster',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:crossplane-system'],
  },
  argocdController: { user: 'system:serviceaccount:argocd:argocd-application-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd'] },
  argocdApplicationSet: {
    user: 'system:serviceaccount:argocd:argocd-applicationset-controller',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd'],
  },
} as const;
export type Identity = keyof typeof IDENTITIES;

// The controllers Crossplane depends on: it deletes composed resources only through the
// garbage collector, namespaces end through the namespace controller, and its ClusterRoles
// are aggregations that the aggregation controller fills.
const CONTROLLERS = ['garbage-collector-controller', 'namespace-controller', 'clusterrole-aggregation-controller'];

export class ControlPlane {
  private constructor(
    readonly server: string,
    readonly pki: TestCa,
    private readonly kubeconfigs: Record<Identity, string>,
  ) {}

  static async start(binaries: KubeBinaries, processes: Processes, dir: string): Promise<ControlPlane> {
    mkdirSync(dir, { recursive: true });
    const pki = new TestCa(join(dir, 'pki'));
    const serving = pki.leaf('apiserver', 'server');
    const serviceAccounts = pki.rsaKeyPair('service-accounts');
    const tokens = Object.fromEntries(Object.keys(IDENTITIES).map((id) => [id, `${id}-${Math.random().toString(36).slice(2)}`])) as Record<Identity, string>;
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(
      tokenFile,
      Object.entries(IDENTITIES)
        .map(([id, { user, groups }]) => `${tokens[id as Identity]},${user},${user},"${groups.join(',')}"`)
        .join('\n') + '\n',
    );

    const [etcdClient, etcdPeer, apiPort, kcmPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    processes.start('etcd', binaries.etcd, [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      // A test's data need not survive a power cut; fsync would dominate on a busy disk.
      '--unsafe-no-fsync',
      '--listen-metrics-urls=',
    ]);
    await waitFor('etcd /health', async () => ((await fetch(`http://127.0.0.1:${etcdClient}/health`).catch(() => undefined))?.ok ? true : undefined), 30_000);

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = processes.start('kube-apiserver', binaries.apiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      // In the run's network namespace there is no default route to take an address from.
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      `--client-ca-file=${pki.certFile}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${serviceAccounts.publicKey}`,
      `--service-account-signing-key-file=${serviceAccounts.privateKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      // No pods run here, and nothing registers the API server as a Service endpoint.
      '--disable-admission-plugins=ServiceAccount',
      '--endpoint-reconciler-type=none',
    ]);

    const kubeconfigs = Object.fromEntries(
      (Object.keys(IDENTITIES) as Identity[]).map((id) => {
        const file = join(dir, `${id}.kubeconfig`);
        writeFileSync(file, kubeconfig(server, pki.certFile, tokens[id]));
        return [id, file];
      }),
    ) as Record<Identity, string>;
    const plane = new ControlPlane(server, pki, kubeconfigs);
    const admin = plane.client('admin');
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        apiserver.assertRunning();
        return (await admin.raw('GET', '/readyz')) === 'ok' ? true : undefined;
      },
      60_000,
    );

    processes.start('kube-controller-manager', binaries.controllerManager, [
      `--kubeconfig=${kubeconfigs.admin}`,
      `--controllers=${CONTROLLERS.join(',')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
    ]);
    return plane;
  }

  kubeconfig(identity: Identity): string {
    return this.kubeconfigs[identity];
  }

  client(identity: Identity): Kube {
    return Kube.fromFile(this.kubeconfigs[identity], `k8tre-e2e-${identity}`);
  }
}

function kubeconfig(server: string, caFile: string, token: string): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster: { server: "${server}", certificate-authority: "${caFile}" }
users:
  - name: e2e
    user: { token: "${token}" }
contexts:
  - name: e2e
    context: { cluster: e2e, user: e2e }
current-context: e2e
`;
}
