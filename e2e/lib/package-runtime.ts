import { readFileSync } from 'node:fs';
import { FUNCTION_NAME } from '../../apis/package.js';
import type { TestCa } from '../../scripts/lib/pki.js';
import { CROSSPLANE_NAMESPACE } from './chart-rbac.js';
import { KubeError, type Json, type Kube, type KubeObject } from './kube.js';

// Crossplane's External package runtime, played by the harness: with it, Crossplane runs no
// package image and waits for something outside to run each active revision and report it,
// which is what its Kubernetes runtime does when a package's Deployment is up.
// - FunctionRevision (this project's function, run by RunningFunction): the endpoint to call.
// - ProviderRevision (a stand-in provider package): the stand-in provider plays the controller.
// For both, Crossplane establishes the package's objects only once the runtime has named the
// Secrets for its webhook and client certificates ("<package>-tls-server" and "-tls-client", as
// Crossplane's runtime names them), filled them and reported them in status.
// Both then report RuntimeHealthy, without which the package is not Healthy.

const PKG = 'pkg.crossplane.io/v1';
const PACKAGE_LABEL = 'pkg.crossplane.io/package';

interface RuntimeStatus {
  readonly endpoint?: string;
  readonly capabilities?: string[];
  readonly tlsServerSecretName?: string;
  readonly tlsClientSecretName?: string;
  readonly conditions?: { type: string; status: string }[];
}

export class PackageRuntime {
  private readonly stops: (() => void)[] = [];
  private readonly certified = new Set<string>();

  private constructor(
    private readonly kube: Kube,
    private readonly pki: TestCa,
    private readonly functionEndpoint: string,
  ) {}

  /** Serves every active revision of the function and of any provider until stop(). */
  static async start(kube: Kube, pki: TestCa, functionEndpoint: string): Promise<PackageRuntime> {
    const runtime = new PackageRuntime(kube, pki, functionEndpoint);
    runtime.stops.push(
      await kube.watch(PKG, 'FunctionRevision', (phase, revision) => runtime.observe(phase, revision, () => runtime.functionStatus(revision))),
    );
    runtime.stops.push(
      await kube.watch(PKG, 'ProviderRevision', (phase, revision) => runtime.observe(phase, revision, () => runtime.providerStatus(revision))),
    );
    return runtime;
  }

  stop(): void {
    for (const stop of this.stops) stop();
  }

  private observe(phase: string, revision: KubeObject, wanted: () => Promise<RuntimeStatus | undefined>): void {
    if (phase === 'DELETED' || (revision.spec as { desiredState?: string } | undefined)?.desiredState !== 'Active') return;
    void (async () => {
      const status = await wanted();
      if (status) await this.report(revision, status);
    })().catch((error: unknown) => {
      // A conflict means a newer event is on its way, and with it another try; anything else
      // would leave the package unhealthy with no cause in sight, so say it.
      if (!(error instanceof KubeError && error.code === 409)) process.stderr.write(`[package-runtime] ${revision.metadata.name}: ${String(error)}\n`);
    });
  }

  private async functionStatus(revision: KubeObject): Promise<RuntimeStatus | undefined> {
    if (revision.metadata.labels?.[PACKAGE_LABEL] !== FUNCTION_NAME) return undefined;
    return { endpoint: this.functionEndpoint, capabilities: ['composition'], ...(await this.certificates(revision, FUNCTION_NAME)) };
  }

  private async providerStatus(revision: KubeObject): Promise<RuntimeStatus | undefined> {
    const provider = revision.metadata.labels?.[PACKAGE_LABEL];
    return provider ? this.certificates(revision, provider) : undefined;
  }

  /**
   * The Secrets for a package's webhook and client certificates, named in the revision, as
   * Crossplane's runtime does for functions and providers alike: a revision establishing its
   * objects waits for them (internal/controller/pkg/revision/establisher.go), so without them a
   * package installed on its own, as the GitOps install does the function, is never Healthy.
   */
  private async certificates(revision: KubeObject, pkg: string): Promise<Pick<RuntimeStatus, 'tlsServerSecretName' | 'tlsClientSecretName'>> {
    const names = { tlsServerSecretName: `${pkg}-tls-server`, tlsClientSecretName: `${pkg}-tls-client` };
    if (!this.certified.has(revision.metadata.name)) {
      for (const [secret, use] of [
        [names.tlsServerSecretName, 'server'],
        [names.tlsClientSecretName, 'client'],
      ] as const) {
        const leaf = this.pki.leaf(secret, use);
        await this.kube.apply({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: secret, namespace: CROSSPLANE_NAMESPACE },
          data: {
            'tls.crt': readFileSync(leaf.cert).toString('base64'),
            'tls.key': readFileSync(leaf.key).toString('base64'),
            'ca.crt': readFileSync(this.pki.certFile).toString('base64'),
          },
        });
      }
      this.certified.add(revision.metadata.name);
    }
    const spec = revision.spec as RuntimeStatus;
    if (spec.tlsServerSecretName !== names.tlsServerSecretName || spec.tlsClientSecretName !== names.tlsClientSecretName)
      await this.kube.mergePatch(revision, { spec: names });
    return names;
  }

  /** Reports the status fields and RuntimeHealthy, unless the revision already says so. */
  private async report(revision: KubeObject, wanted: RuntimeStatus): Promise<void> {
    const status = (revision.status ?? {}) as RuntimeStatus & Json;
    const conditions = status.conditions ?? [];
    const reported = Object.entries(wanted).every(([key, value]) => JSON.stringify(status[key]) === JSON.stringify(value));
    if (reported && conditions.some((c) => c.type === 'RuntimeHealthy' && c.status === 'True')) return;
    const healthy = { type: 'RuntimeHealthy', status: 'True', reason: 'HealthyPackageRevision', lastTransitionTime: new Date().toISOString() };
    await this.kube.patchStatus(revision, { ...wanted, conditions: [...conditions.filter((c) => c.type !== 'RuntimeHealthy'), healthy] }, true);
  }
}
