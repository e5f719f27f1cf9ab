import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIGURATION_PACKAGE, FUNCTION_NAME, FUNCTION_PACKAGE } from '../../apis/package.js';
import { breakerEnv, type BreakerSettings } from '../../functions/k8tre/lib/pacing.js';
import { accepts, freePort } from '../../scripts/lib/function-process.js';
import { FUNCTION_ENTRY } from '../../scripts/lib/paths.js';
import type { TestCa } from '../../scripts/lib/pki.js';
import { packageTag, projectVersion } from '../../scripts/lib/version.js';
import { packageFiles } from '../../scripts/package.js';
import { condition, type Kube, type KubeObject, waitFor } from './kube.js';
import type { Component, Processes } from './processes.js';

// The packages installed the way users install them: `crossplane xpkg build` (npm run
// package), `crossplane xpkg push` to an OCI registry on loopback (crane), then a Function
// and a Configuration that Crossplane's package manager pulls and unpacks. Installed directly,
// the Configuration skips dependency resolution (the providers' CRDs are installed without
// packages); the External runtime runs no function image, so the function runs here and
// package-runtime.ts points its revision at it.

const PKG = 'pkg.crossplane.io/v1';

export class Registry {
  private constructor(readonly host: string) {}

  static async start(crane: string, processes: Processes): Promise<Registry> {
    const port = await freePort();
    const registry = processes.start('registry', crane, ['registry', 'serve', `--address=127.0.0.1:${port}`]);
    const host = `127.0.0.1:${port}`;
    await waitFor(
      `the registry on ${host}`,
      async () => {
        registry.assertRunning();
        return (await fetch(`http://${host}/v2/`).catch(() => undefined))?.ok ? true : undefined;
      },
      30_000,
    );
    return new Registry(host);
  }

  /**
   * `crossplane xpkg push` of a built package under the repository path and tag of `source`
   * ("<registry>/<repository>:<tag>"), as a mirror of its registry holds it; returns the
   * reference pushed.
   */
  mirror(cli: string, packageFile: string, source: string): string {
    const { repository, tag } = parsePackageRef(source);
    if (!tag) throw new Error(`${source} names no tag to mirror`);
    const ref = `${this.host}/${repository}:${tag}`;
    execFileSync(cli, ['xpkg', 'push', `--package-files=${packageFile}`, ref], { stdio: ['ignore', 'pipe', 'pipe'] });
    return ref;
  }
}

/** A package reference, "<registry>/<repository>[:<tag>]", in parts. */
export function parsePackageRef(ref: string): { registry: string; repository: string; tag?: string } {
  const match = /^(?<registry>[^/]+)\/(?<repository>[^:]+)(?::(?<tag>[^:/]+))?$/.exec(ref);
  const { registry, repository, tag } = match?.groups ?? {};
  if (!registry || !repository) throw new Error(`not a package reference: ${ref}`);
  return { registry, repository, ...(tag !== undefined && { tag }) };
}

export interface PushedPackages {
  readonly functionRef: string;
  readonly configurationRef: string;
}

/**
 * Pushes both packages, as `npm run package` built them (npm run e2e builds them first: the
 * image takes Debian packages from the network, which the run's namespace has none of), under
 * their repository path, as a release does.
 */
export function pushPackages(cli: string, registry: Registry): PushedPackages {
  const built = packageFiles();
  for (const file of [built.functionPackage, built.configurationPackage])
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run package\` first`);
  const tag = packageTag(projectVersion());
  return {
    functionRef: registry.mirror(cli, built.functionPackage, `${FUNCTION_PACKAGE}:${tag}`),
    configurationRef: registry.mirror(cli, built.configurationPackage, `${CONFIGURATION_PACKAGE}:${tag}`),
  };
}

/** Pushes both packages and installs them; the function runs with mutual TLS. */
export async function installPackages(kube: Kube, cli: string, registry: Registry, fn: RunningFunction): Promise<void> {
  const { functionRef, configurationRef } = pushPackages(cli, registry);
  await kube.apply({ apiVersion: PKG, kind: 'Function', metadata: { name: FUNCTION_NAME }, spec: { package: functionRef } });
  await fn.waitServing(kube);
  await kube.apply({
    apiVersion: PKG,
    kind: 'Configuration',
    metadata: { name: 'configuration-k8tre-azure' },
    spec: { package: configurationRef, skipDependencyResolution: true },
  });
  await waitFor(
    'the Configuration to be Installed and Healthy',
    async () => {
      const configuration = await kube.get(PKG, 'Configuration', 'configuration-k8tre-azure');
      return condition(configuration, 'Installed')?.status === 'True' && condition(configuration, 'Healthy')?.status === 'True' ? true : undefined;
    },
    180_000,
    async () => JSON.stringify((await kube.get(PKG, 'Configuration', 'configuration-k8tre-azure'))?.status ?? {}),
  );
}

/** The function as Crossplane would run it from its image: mutual TLS with a certificate from the cluster's CA. */
export class RunningFunction {
  private component?: Component;

  private constructor(
    private readonly processes: Processes,
    private readonly certs: string,
    readonly target: string,
    /** The circuit-breaker settings it paces by: Crossplane's, as an install tells them (lib/pacing.ts). */
    private breaker: BreakerSettings,
  ) {}

  static async start(processes: Processes, pki: TestCa, dir: string, breaker: BreakerSettings): Promise<RunningFunction> {
    if (!existsSync(FUNCTION_ENTRY)) throw new Error(`${FUNCTION_ENTRY} is missing: run \`npm run build\` first`);
    const certs = join(dir, 'function-tls');
    mkdirSync(certs, { recursive: true });
    const leaf = pki.leaf('function', 'server');
    copyFileSync(leaf.cert, join(certs, 'tls.crt'));
    copyFileSync(leaf.key, join(certs, 'tls.key'));
    copyFileSync(pki.certFile, join(certs, 'ca.crt'));
    const fn = new RunningFunction(processes, certs, `127.0.0.1:${await freePort()}`, breaker);
    await fn.restart();
    return fn;
  }

  /**
   * Starts the function on its port (again, after a crash: the revision's endpoint stays right),
   * told other breaker settings if given.
   */
  async restart(breaker: BreakerSettings = this.breaker): Promise<void> {
    this.breaker = breaker;
    this.component = this.processes.start('function', process.execPath, [FUNCTION_ENTRY, `--address=${this.target}`, '--tls-server-certs-dir', this.certs], {
      env: breakerEnv(breaker),
    });
    const component = this.component;
    const port = Number(this.target.split(':')[1]);
    await waitFor(
      `the function to listen on ${this.target}`,
      async () => {
        component.assertRunning();
        return (await accepts(port)) ? true : undefined;
      },
      30_000,
    );
  }

  async crash(): Promise<void> {
    await this.component?.kill();
  }

  /** Waits until an active revision of the function is pointed at this process. */
  async waitServing(kube: Kube): Promise<void> {
    await waitFor(
      `the ${FUNCTION_NAME} revision to serve at ${this.target}`,
      async () => ((await activeRevisions(kube)).some((r) => endpointOf(r) === this.target) ? true : undefined),
      120_000,
      async () => {
        const fn = await kube.get(PKG, 'Function', FUNCTION_NAME);
        const revisions = await kube.list(PKG, 'FunctionRevision');
        return JSON.stringify({
          function: fn?.status,
          revisions: revisions.map((r) => ({ name: r.metadata.name, labels: r.metadata.labels, spec: r.spec, status: r.status })),
        });
      },
    );
  }
}

/** The function's active revisions, which Crossplane calls at their status.endpoint. */
async function activeRevisions(kube: Kube): Promise<KubeObject[]> {
  const revisions = await kube.list<KubeObject>(PKG, 'FunctionRevision', undefined, `pkg.crossplane.io/package=${FUNCTION_NAME}`);
  return revisions.filter(isActive);
}

const isActive = (revision: KubeObject) => (revision.spec as { desiredState?: string } | undefined)?.desiredState === 'Active';
const endpointOf = (revision: KubeObject) => (revision.status as { endpoint?: string } | undefined)?.endpoint;
