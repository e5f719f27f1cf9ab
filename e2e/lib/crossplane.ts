import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { freePort } from '../../scripts/lib/function-process.js';
import { ROOT } from '../../scripts/lib/paths.js';
import { chartRbac, CROSSPLANE_NAMESPACE } from './chart-rbac.js';
import type { ControlPlane } from './control-plane.js';
import type { KubeObject } from './kube.js';
import type { Component, Processes } from './processes.js';

// Crossplane core v2 as a host process against the loopback API server: its CRDs and the
// Helm chart's RBAC from the core module, webhooks on (the Usage webhook registered by URL,
// since no Service can route to a host process), the External package runtime (nothing
// runs package images here) and the RBAC manager beside it, each as its own service account.

export interface CrossplaneBinaries {
  /** The crossplane core binary (`crossplane core start`, `crossplane rbac start`). */
  readonly core: string;
  /** The core module's folder in the Go module cache: CRDs, chart and webhook configurations. */
  readonly coreModule: string;
}

/** Where the GitOps install sets Crossplane's arguments; the e2e runs Crossplane with the same. */
export const GITOPS_CROSSPLANE_APP = join(ROOT, 'examples', 'gitops', 'apps', 'crossplane.yaml');

/** The `args` the GitOps install passes to Crossplane's chart (`core start <args>`). */
export function gitopsCrossplaneArgs(file = GITOPS_CROSSPLANE_APP): string[] {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const app = doc.toJS() as { metadata?: { name?: string }; spec?: { source?: { chart?: string; helm?: { valuesObject?: { args?: unknown } } } } };
    if (app.spec?.source?.chart !== 'crossplane') continue;
    const args = app.spec.source.helm?.valuesObject?.args;
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
      throw new Error(`${file}: the crossplane Application sets no helm.valuesObject.args`);
    return args;
  }
  throw new Error(`${file}: no Application installs the crossplane chart`);
}

const COMMON_ENV = { POD_NAMESPACE: CROSSPLANE_NAMESPACE, LEADER_ELECTION: 'false' };

export class Crossplane {
  private core?: Component;

  private constructor(
    private readonly binaries: CrossplaneBinaries,
    private readonly plane: ControlPlane,
    private readonly processes: Processes,
    private readonly dir: string,
    private readonly ports: { webhook: number; metrics: number; health: number },
    readonly args: readonly string[],
  ) {}

  /** Installs Crossplane's CRDs, RBAC and Usage webhook, then starts the RBAC manager and core. */
  static async install(binaries: CrossplaneBinaries, plane: ControlPlane, processes: Processes, dir: string): Promise<Crossplane> {
    const admin = plane.client('admin');
    const crds = join(binaries.coreModule, 'cluster', 'crds');
    for (const file of readdirSync(crds).filter((f) => f.endsWith('.yaml'))) await admin.apply(parse(readFileSync(join(crds, file), 'utf8')) as KubeObject);
    await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CROSSPLANE_NAMESPACE } });
    for (const name of ['crossplane', 'rbac-manager'])
      await admin.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: CROSSPLANE_NAMESPACE } });
    for (const object of chartRbac(join(binaries.coreModule, 'cluster', 'charts', 'crossplane'))) await admin.apply(object);

    const ports = { webhook: await freePort(), metrics: await freePort(), health: await freePort() };
    await admin.apply(usageWebhook(binaries.coreModule, ports.webhook, readFileSync(plane.pki.certFile)));

    // K8TRE_E2E_CROSSPLANE_ARGS replaces the GitOps install's arguments, to measure others.
    const override = process.env.K8TRE_E2E_CROSSPLANE_ARGS?.split(/\s+/).filter(Boolean);
    const crossplane = new Crossplane(binaries, plane, processes, dir, ports, override ?? gitopsCrossplaneArgs());
    // The chart mounts an emptyDir here; Crossplane does not create it, and unpacking into a
    // missing cache fails as "read/write on closed pipe".
    mkdirSync(join(dir, 'xpkg-cache'), { recursive: true });
    crossplane.writeCertificates();
    crossplane.start();
    return crossplane;
  }

  /** Starts the RBAC manager and core. */
  private start(): void {
    this.processes.start('crossplane-rbac-manager', this.binaries.core, ['rbac', 'start', '--provider-clusterrole=crossplane:allowed-provider-permissions'], {
      env: { ...COMMON_ENV, KUBECONFIG: this.plane.kubeconfig('rbacManager') },
    });
    this.startCore();
  }

  /** Starts core (again, after crash()). */
  startCore(): void {
    const debug = process.env.K8TRE_E2E_DEBUG ? ['--debug'] : [];
    this.core = this.processes.start('crossplane', this.binaries.core, ['core', 'start', ...debug, ...this.args], {
      env: {
        ...COMMON_ENV,
        KUBECONFIG: this.plane.kubeconfig('crossplane'),
        POD_SERVICE_ACCOUNT: 'crossplane',
        XPKG_CACHE_DIR: join(this.dir, 'xpkg-cache'),
        PACKAGE_RUNTIME: 'External',
        ENABLE_WEBHOOKS: 'true',
        // Crossplane binds these on every interface; it has no flag for the host.
        WEBHOOK_PORT: String(this.ports.webhook),
        METRICS_PORT: String(this.ports.metrics),
        HEALTH_PROBE_PORT: String(this.ports.health),
        TLS_SERVER_CERTS_DIR: join(this.dir, 'tls-server'),
        TLS_CLIENT_CERTS_DIR: join(this.dir, 'tls-client'),
      },
    });
  }

  /** Stops core gracefully; startCore() brings it back, its caches listed anew as after an upgrade. */
  async stop(): Promise<void> {
    await this.core?.stop();
  }

  /** Crashes core (SIGKILL), for the restart scenario; startCore() brings it back. */
  async crash(): Promise<void> {
    await this.core?.kill();
  }

  /** Crossplane's own metrics, in Prometheus text format. */
  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.ports.metrics}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return response.text();
  }

  private writeCertificates(): void {
    const pki = this.plane.pki;
    const server = pki.leaf('crossplane-webhook', 'server');
    // Crossplane's client certificate for calling functions over mutual TLS.
    const client = pki.leaf('crossplane-client', 'client');
    for (const [folder, files] of [
      ['tls-server', { 'tls.crt': server.cert, 'tls.key': server.key }],
      ['tls-client', { 'tls.crt': client.cert, 'tls.key': client.key, 'ca.crt': pki.certFile }],
    ] as const) {
      mkdirSync(join(this.dir, folder), { recursive: true });
      for (const [name, source] of Object.entries(files)) writeFileSync(join(this.dir, folder, name), readFileSync(source));
    }
  }
}

/**
 * The core module's Usage webhook configuration, pointed at the host process by URL with the
 * test CA: the same rules and selector as Crossplane installs, only the client config differs.
 */
function usageWebhook(coreModule: string, port: number, caBundle: Buffer): KubeObject {
  const config = parse(readFileSync(join(coreModule, 'cluster', 'webhookconfigurations', 'usage.yaml'), 'utf8')) as KubeObject & {
    webhooks: { clientConfig: { service?: { path?: string }; url?: string; caBundle?: string } }[];
  };
  for (const webhook of config.webhooks) {
    const path = webhook.clientConfig.service?.path ?? '/validate-no-usages';
    webhook.clientConfig = { url: `https://127.0.0.1:${port}${path}`, caBundle: caBundle.toString('base64') };
  }
  return config;
}
