import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/paths.js';
import { crossplaneTools } from '../../scripts/lib/tools.js';

// The binaries of the end-to-end run: Crossplane's (scripts/tools.sh) and the control plane's,
// registry's and ArgoCD's (scripts/e2e-tools.sh), built from the Go module proxy on first use,
// and Debian's redis-server.

export interface E2eTools {
  readonly cli: string;
  readonly core: string;
  /** The Crossplane core module in the Go module cache: CRDs, chart, webhook configurations. */
  readonly coreModule: string;
  readonly etcd: string;
  readonly apiserver: string;
  readonly controllerManager: string;
  readonly crane: string;
  readonly argocd: string;
  /** The argo-cd module in the Go module cache: its CRDs and core install manifests. */
  readonly argocdModule: string;
  readonly redis: string;
}

export function e2eTools(): E2eTools {
  const { cli, core, coreCrds } = crossplaneTools();
  const output = execFileSync('bash', [join(ROOT, 'scripts', 'e2e-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const value = (key: string) => {
    const line = output.split('\n').find((l) => l.startsWith(`${key}=`));
    if (!line || line === `${key}=`) throw new Error(`scripts/e2e-tools.sh did not report ${key}`);
    return line.slice(key.length + 1);
  };
  return {
    cli,
    core,
    coreModule: join(coreCrds, '..', '..'),
    etcd: value('ETCD'),
    apiserver: value('KUBE_APISERVER'),
    controllerManager: value('KUBE_CONTROLLER_MANAGER'),
    crane: value('CRANE'),
    argocd: value('ARGOCD'),
    argocdModule: value('ARGOCD_MODULE'),
    redis: value('REDIS'),
  };
}
