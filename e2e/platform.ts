import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KIND as CLUSTER_KIND } from '../functions/k8tre/cluster/api.js';
import { GROUP, KIND as NETWORK_KIND, VERSION } from '../functions/k8tre/network/api.js';
import { GROUP_KIND as SPOKE_GROUP_KIND, KIND as SPOKE_KIND } from '../functions/k8tre/spoke/api.js';
import { KIND as DATA_STORES_KIND } from '../functions/k8tre/stores/api.js';
import { KIND as MONITORING_KIND } from '../functions/k8tre/monitoring/api.js';
import { KIND as FIREWALL_KIND } from '../functions/k8tre/firewall/api.js';
import { KIND as CLUSTER_MONITORING_KIND } from '../functions/k8tre/cluster-monitoring/api.js';
import { GROUP_KIND as IDENTITY_GROUP_KIND, KIND as IDENTITY_KIND } from '../functions/k8tre/identity/api.js';
import { composedCurrentSpec } from '../functions/k8tre/lib/composed-generation.js';
import { CONFIGURATION_PACKAGE, FUNCTION_PACKAGE } from '../apis/package.js';
import { ROOT } from '../scripts/lib/paths.js';
import { ControlPlane } from './lib/control-plane.js';
import { BreakerDemand } from './lib/breaker-demand.js';
import { breakerSettings, XrWatchDemand } from './lib/xr-watch-demand.js';
import { Crossplane } from './lib/crossplane.js';
import { condition, conditionsOf, waitFor, type Kube, type KubeObject } from './lib/kube.js';
import { installPackages, parsePackageRef, pushPackages, Registry, RunningFunction } from './lib/packages.js';
import type { Processes } from './lib/processes.js';
import { composedKinds, installProviderCrds, providerCrds, type ProviderCrd } from './lib/provider-crds.js';
import { PackageRuntime } from './lib/package-runtime.js';
import { buildProviderPackages, gitopsProviders, serves } from './lib/provider-packages.js';
import { COMPOSITE_LABEL, keyOf, StandInProvider, type ManagedKind } from './lib/stand-in-provider.js';
import type { E2eTools } from './lib/tools.js';
import { XrMonitor } from './lib/xr-monitor.js';

// The whole stack on loopback, as one object the scenarios drive: the control plane,
// Crossplane with the packages installed from a registry, the function, the stand-in
// provider and the XR monitor. stop() ends every process, whatever state it is in.
//
// Two ways to install the packages:
// - `direct`: the harness installs the providers' CRDs, the Function and the Configuration,
//   and the scenarios apply XRs as kubectl does;
// - `gitops`: nothing is installed; the registry holds what the GitOps install names (the
//   package, and stand-in provider packages at the providers' own paths), an ImageConfig
//   mirrors their registries to it, and ArgoCD installs everything from git.

export const API_VERSION = `${GROUP}/${VERSION}`;
export const NAMESPACE = 'k8tre';
/** The provider-kubernetes ClusterProviderConfig the examples register clusters through: the management cluster, here. */
const MANAGEMENT_PROVIDER_CONFIG = 'management';
/** Kinds Crossplane composes besides the providers': Usages, and the Secret of the providers' identity. */
const CORE_COMPOSED = [
  { apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', managed: false },
  { apiVersion: 'v1', kind: 'Secret', managed: false },
] as const;
/** The providers the GitOps install names, each with its registry and repository. */
const GITOPS_PROVIDERS = join(ROOT, 'examples', 'gitops', 'crossplane', 'providers.yaml');
/** Every kind of XR the package defines: those people write, the spoke groups, spokes, monitoring and firewalls networks compose, and the monitoring, data stores and identities clusters compose. */
const XR_KINDS = [
  NETWORK_KIND,
  SPOKE_GROUP_KIND,
  SPOKE_KIND,
  MONITORING_KIND,
  FIREWALL_KIND,
  CLUSTER_KIND,
  CLUSTER_MONITORING_KIND,
  DATA_STORES_KIND,
  IDENTITY_GROUP_KIND,
  IDENTITY_KIND,
].map((kind) => ({
  apiVersion: API_VERSION,
  kind,
}));

export interface XrRef {
  readonly kind: string;
  readonly name: string;
}

export const network = (name: string): XrRef => ({ kind: NETWORK_KIND, name });
export const cluster = (name: string): XrRef => ({ kind: CLUSTER_KIND, name });
export const xrKey = (ref: XrRef) => `${ref.kind}/${NAMESPACE}/${ref.name}`;

export type Install = 'direct' | 'gitops';

export class Platform {
  private calls: FunctionCalls = NO_CALLS;
  /** Watch events Crossplane's circuit breaker counted per XR controller, over the run. */
  readonly breaker = new BreakerDemand();
  /** The same events per XR, from the API server's watches: the bucket each XR needed. */
  readonly watchDemand = new XrWatchDemand(API_VERSION);
  private stopSampling = () => undefined as void;
  private readonly stopHooks: (() => void)[] = [];

  private constructor(
    readonly processes: Processes,
    /** The suite's folder: logs, certificates, the git repository. */
    readonly dir: string,
    readonly tools: E2eTools,
    readonly plane: ControlPlane,
    readonly admin: Kube,
    readonly crossplane: Crossplane,
    readonly fn: RunningFunction,
    readonly provider: StandInProvider,
    readonly monitor: XrMonitor,
    readonly kinds: readonly ManagedKind[],
  ) {}

  /** Starts everything in order; on failure stops what started and rethrows. */
  static async start(tools: E2eTools, processes: Processes, dir: string, say: (message: string) => void, install: Install): Promise<Platform> {
    // The watches started on the way, to end with the processes should a later step fail.
    const watches: { stop(): void }[] = [];
    try {
      mkdirSync(dir, { recursive: true });
      say('starting etcd, kube-apiserver and kube-controller-manager');
      const plane = await ControlPlane.start(
        { etcd: tools.etcd, apiserver: tools.apiserver, controllerManager: tools.controllerManager },
        processes,
        join(dir, 'control-plane'),
      );
      const admin = plane.client('admin');
      say('installing Crossplane and starting it with its RBAC manager');
      const crossplane = await Crossplane.install({ core: tools.core, coreModule: tools.coreModule }, plane, processes, join(dir, 'crossplane'));
      const registry = await Registry.start(tools.crane, processes);
      // Told the breaker settings Crossplane runs with, as the GitOps install's runtime config tells it.
      const fn = await RunningFunction.start(processes, plane.pki, dir, breakerSettings(crossplane.args));
      const runtime = await PackageRuntime.start(admin, plane.pki, fn.target);
      watches.push(runtime);

      let crds: ProviderCrd[];
      if (install === 'direct') {
        crds = providerCrds();
        say('installing the provider CRDs; building the packages, pushing them to a loopback registry and installing them');
        await installProviderCrds(admin, crds);
        for (const kind of composedKinds(crds)) await admin.waitServed(kind.apiVersion, kind.kind, 60_000);
        await installPackages(admin, tools.cli, registry, fn);
        await waitForXrds(admin);
        for (const name of [NAMESPACE, 'argocd']) await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      } else {
        say('building the package and stand-in provider packages and pushing them to a loopback registry, which mirrors their registries');
        crds = await mirrorGitopsPackages(admin, tools.cli, registry, join(dir, 'provider-packages'));
      }
      const kinds = [...composedKinds(crds), ...CORE_COMPOSED];
      // From git, provider-kubernetes runs as provider-incluster, which argocd-access.yaml lets
      // write exactly the clusters' ArgoCD Secrets; installed directly, it has no such Role.
      const inCluster = install === 'gitops' ? plane.client('providerIncluster') : undefined;
      const provider = await StandInProvider.start(plane.client('provider'), kinds, [MANAGEMENT_PROVIDER_CONFIG], inCluster);
      watches.push(provider);
      const monitor = await XrMonitor.start(admin, XR_KINDS);
      watches.push(monitor);
      const platform = new Platform(processes, dir, tools, plane, admin, crossplane, fn, provider, monitor, kinds);
      // Everything an XR composes, child XRs included, is charged to it by the breaker.
      for (const kind of [...kinds, ...XR_KINDS]) {
        const stop = await admin.watch(kind.apiVersion, kind.kind, (phase, object) => platform.watchDemand.record(phase, object));
        watches.push({ stop });
        platform.onStop(stop);
      }
      platform.onStop(() => runtime.stop());
      platform.sampleBreaker();
      return platform;
    } catch (error) {
      for (const watch of watches) watch.stop();
      await processes.stopAll();
      throw error;
    }
  }

  /** Something a scenario started that must end with the platform. */
  onStop(hook: () => void): void {
    this.stopHooks.push(hook);
  }

  async stop(): Promise<void> {
    try {
      for (const hook of this.stopHooks) hook();
      this.stopSampling();
      this.monitor.stop();
      this.provider.stop();
    } finally {
      await this.processes.stopAll();
    }
  }

  /** Applies an example XR (a path under examples/), optionally changed first. */
  async applyExample(path: string, change: (xr: KubeObject) => KubeObject = (xr) => xr): Promise<KubeObject> {
    return this.admin.apply(change(parse(readFileSync(join(ROOT, path), 'utf8')) as KubeObject));
  }

  async xr(ref: XrRef): Promise<KubeObject | undefined> {
    return this.admin.get(API_VERSION, ref.kind, ref.name, NAMESPACE);
  }

  async xrs(): Promise<KubeObject[]> {
    return (await Promise.all(XR_KINDS.map(({ kind }) => this.admin.list(API_VERSION, kind, NAMESPACE)))).flat();
  }

  /** Every composed object in the namespace (managed resources, provider configs, Usages, Secrets), by "<kind>/<namespace>/<name>". */
  async composed(): Promise<Map<string, KubeObject>> {
    const lists = await Promise.all(this.kinds.map((k) => this.admin.list(k.apiVersion, k.kind, NAMESPACE, COMPOSITE_LABEL)));
    return new Map(lists.flat().map((object) => [keyOf(object), object]));
  }

  /** Waits until every XR named is Ready=True for its current spec, failing with what each still says. */
  async waitReady(refs: readonly XrRef[], timeoutMs: number): Promise<void> {
    await waitFor(
      `${refs.map((r) => r.name).join(', ')} to be Ready`,
      async () => {
        this.failIfDead();
        const xrs = await Promise.all(refs.map((ref) => this.xr(ref)));
        return xrs.every((xr) => isReadyForCurrentSpec(xr)) ? true : undefined;
      },
      timeoutMs,
      async () => (await Promise.all(refs.map(async (ref) => `${ref.name}: ${describeConditions(await this.xr(ref))}`))).join('\n  '),
    );
  }

  /** Throws naming the first component that died, and its log. */
  failIfDead(): void {
    this.processes.firstDead()?.assertRunning();
  }

  /**
   * Function calls so far, from Crossplane's metrics (kept across its restarts): failed calls
   * (a gRPC error), and answers with a Fatal result (the function refusing input on purpose).
   */
  async functionCalls(): Promise<FunctionCalls> {
    return addCalls(this.calls, await this.scrapeFunctionCalls());
  }

  /** Crashes Crossplane (SIGKILL), keeping its function-call counts. */
  async crashCrossplane(): Promise<void> {
    this.calls = addCalls(this.calls, await this.scrapeFunctionCalls().catch(() => NO_CALLS));
    await this.crossplane.crash();
  }

  /** Restarts Crossplane gracefully (its caches list everything anew), keeping its function-call counts. */
  async restartCrossplane(): Promise<void> {
    this.calls = addCalls(this.calls, await this.scrapeFunctionCalls().catch(() => NO_CALLS));
    await this.crossplane.stop();
    this.startCrossplane();
  }

  /** Starts Crossplane's core again, after crashCrossplane() or a stop: every XR's breaker starts full. */
  startCrossplane(): void {
    this.crossplane.startCore();
    this.watchDemand.restarted();
  }

  /** How many reconciles each XR controller made since Crossplane last started, by controller ("composite/<XRD name>"). */
  async reconciles(): Promise<Record<string, number>> {
    const totals: Record<string, number> = {};
    for (const s of parseCounters(await this.crossplane.metrics(), 'controller_runtime_reconcile_total')) {
      const controller = s.labels.controller ?? '';
      if (controller.startsWith('composite/')) totals[controller] = (totals[controller] ?? 0) + s.value;
    }
    return totals;
  }

  private async scrapeFunctionCalls(): Promise<FunctionCalls> {
    const samples = parseCounters(await this.crossplane.metrics(), 'function_run_function_response_total');
    return {
      total: sum(samples),
      errors: sum(samples.filter((s) => s.labels.grpc_code !== 'OK')),
      fatal: sum(samples.filter((s) => s.labels.grpc_code === 'OK' && s.labels.result_severity === 'Fatal')),
    };
  }

  /**
   * Samples the circuit breaker's event counters about once a second, for the whole run: one
   * scrape at a time, so that a slow answer never arrives after a newer one and reads as a
   * restart.
   */
  private sampleBreaker(): void {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const scrape = async () => {
      try {
        const text = await this.crossplane.metrics();
        const totals: Record<string, number> = {};
        for (const s of parseCounters(text, 'circuit_breaker_events_total'))
          totals[s.labels.controller ?? ''] = (totals[s.labels.controller ?? ''] ?? 0) + s.value;
        this.breaker.record(totals);
      } catch {
        // Crossplane is restarting.
      }
      if (!stopped) timer = setTimeout(() => void scrape(), 1_000).unref();
    };
    void scrape();
    this.stopSampling = () => {
      stopped = true;
      clearTimeout(timer);
    };
  }
}

export interface FunctionCalls {
  readonly total: number;
  readonly errors: number;
  readonly fatal: number;
}

const NO_CALLS: FunctionCalls = { total: 0, errors: 0, fatal: 0 };
const addCalls = (a: FunctionCalls, b: FunctionCalls): FunctionCalls => ({ total: a.total + b.total, errors: a.errors + b.errors, fatal: a.fatal + b.fatal });

interface CounterSample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of one counter in Prometheus' text format. */
function parseCounters(text: string, name: string): CounterSample[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => {
      const labels = Object.fromEntries(
        [...line.slice(name.length + 1, line.lastIndexOf('}')).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
      );
      return { labels, value: Number(line.slice(line.lastIndexOf(' ') + 1)) };
    });
}

const sum = (samples: readonly CounterSample[]) => samples.reduce((n, s) => n + s.value, 0);

/**
 * The registry as a mirror of the GitOps install's: the Configuration and Function under their
 * repository paths, a stand-in package per Provider under its, and ImageConfigs that rewrite
 * each registry those manifests name to this one, as an air-gapped site mirrors them. Returns
 * the CRDs the stand-in providers bring.
 */
async function mirrorGitopsPackages(admin: Kube, cli: string, registry: Registry, dir: string): Promise<ProviderCrd[]> {
  pushPackages(cli, registry);
  const providers = gitopsProviders(GITOPS_PROVIDERS);
  const crds = providerCrds().filter((crd) => providers.some((p) => serves(p, crd.spec.group)));
  for (const [provider, file] of buildProviderPackages(cli, providers, crds, dir)) registry.mirror(cli, file, provider.ref);
  const sources = new Set([FUNCTION_PACKAGE, CONFIGURATION_PACKAGE, ...providers.map((p) => p.ref)].map((ref) => parsePackageRef(ref).registry));
  for (const source of sources)
    await admin.apply({
      apiVersion: 'pkg.crossplane.io/v1beta1',
      kind: 'ImageConfig',
      metadata: { name: `mirror-${source.replaceAll('.', '-')}` },
      spec: { matchImages: [{ type: 'Prefix', prefix: `${source}/` }], rewriteImage: { prefix: `${registry.host}/` } },
    });
  return crds;
}

/** The package's XRDs Established: the API server accepted the CRDs Crossplane made of them. */
async function waitForXrds(admin: Kube): Promise<void> {
  const xrds = () => admin.list('apiextensions.crossplane.io/v2', 'CompositeResourceDefinition');
  await waitFor(
    'the XRDs to be Established',
    async () => {
      const list = await xrds();
      return list.length === XR_KINDS.length && list.every((xrd) => condition(xrd, 'Established')?.status === 'True') ? true : undefined;
    },
    120_000,
    async () => (await xrds()).map((xrd) => `${xrd.metadata.name}: ${describeConditions(xrd)}`).join('\n  '),
  );
  for (const { kind } of XR_KINDS) await admin.waitServed(API_VERSION, kind, 30_000);
}

/** Ready=True, and Crossplane and the function have reconciled the spec as it is now (not the one before an edit). */
export function isReadyForCurrentSpec(xr: KubeObject | undefined): boolean {
  const generation = xr?.metadata.generation ?? 0;
  const current = (type: string) => {
    const c = condition(xr, type);
    return c?.status === 'True' && (c.observedGeneration === undefined || c.observedGeneration >= generation);
  };
  return current('Ready') && current('Synced') && composedCurrentSpec(xr);
}

/** Its conditions, each with the generation it was set for (`@N`), and the generation the function composed. */
export function describeConditions(xr: KubeObject | undefined): string {
  if (!xr) return 'absent';
  const status = xr.status as { observedGeneration?: number } | undefined;
  const conditions = conditionsOf(xr).map(
    (c) =>
      `${c.type}=${c.status}${c.observedGeneration !== undefined ? `@${c.observedGeneration}` : ''}${c.reason ? ` ${c.reason}` : ''}${c.message ? ` (${c.message.slice(0, 300)})` : ''}`,
  );
  const composed = status?.observedGeneration !== undefined ? `; composed generation ${status.observedGeneration} of ${xr.metadata.generation}` : '';
  return (conditions.join('; ') || 'no conditions') + composed;
}
