import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KIND as CLUSTER_KIND } from '../functions/k8tre/cluster/api.js';
import { GROUP, KIND as NETWORK_KIND, VERSION } from '../functions/k8tre/network/api.js';
import { ROOT } from '../scripts/lib/paths.js';
import { ControlPlane } from './lib/control-plane.js';
import { BreakerDemand } from './lib/breaker-demand.js';
import { Crossplane } from './lib/crossplane.js';
import { condition, StopWaiting, waitFor, type Kube, type KubeObject } from './lib/kube.js';
import { installPackages, Registry, RunningFunction } from './lib/packages.js';
import type { Processes } from './lib/processes.js';
import { composedKinds, installProviderCrds, providerCrds } from './lib/provider-crds.js';
import { COMPOSITE_LABEL, keyOf, StandInProvider, type ManagedKind } from './lib/stand-in-provider.js';
import type { E2eTools } from './lib/tools.js';
import { XrMonitor } from './lib/xr-monitor.js';

// The whole stack on loopback, as one object the scenarios drive: the control plane,
// Crossplane with the packages installed from a registry, the function, the stand-in
// provider and the XR monitor. stop() ends every process, whatever state it is in.

export const API_VERSION = `${GROUP}/${VERSION}`;
export const NAMESPACE = 'k8tre';
/** The provider-kubernetes ClusterProviderConfig the examples register clusters through: the management cluster, here. */
const MANAGEMENT_PROVIDER_CONFIG = 'management';
/** Kinds Crossplane composes besides the providers': Usages, and the Secret of the providers' identity. */
const CORE_COMPOSED = [
  { apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', managed: false },
  { apiVersion: 'v1', kind: 'Secret', managed: false },
] as const;
const XR_KINDS = [
  { apiVersion: API_VERSION, kind: NETWORK_KIND },
  { apiVersion: API_VERSION, kind: CLUSTER_KIND },
];

export interface XrRef {
  readonly kind: string;
  readonly name: string;
}

export const network = (name: string): XrRef => ({ kind: NETWORK_KIND, name });
export const cluster = (name: string): XrRef => ({ kind: CLUSTER_KIND, name });
export const xrKey = (ref: XrRef) => `${ref.kind}/${NAMESPACE}/${ref.name}`;

export class Platform {
  private calls: FunctionCalls = NO_CALLS;
  /** Watch events Crossplane's circuit breaker counted per XR controller, over the run. */
  readonly breaker = new BreakerDemand();
  private stopSampling = () => undefined as void;

  private constructor(
    readonly processes: Processes,
    readonly admin: Kube,
    readonly crossplane: Crossplane,
    readonly fn: RunningFunction,
    readonly provider: StandInProvider,
    readonly monitor: XrMonitor,
    readonly kinds: readonly ManagedKind[],
  ) {}

  /** Starts everything in order; on failure stops what started and rethrows. */
  static async start(tools: E2eTools, processes: Processes, dir: string, say: (message: string) => void): Promise<Platform> {
    try {
      mkdirSync(dir, { recursive: true });
      say('starting etcd, kube-apiserver and kube-controller-manager');
      const plane = await ControlPlane.start(
        { etcd: tools.etcd, apiserver: tools.apiserver, controllerManager: tools.controllerManager },
        processes,
        join(dir, 'control-plane'),
      );
      const admin = plane.client('admin');

      say('installing the provider CRDs');
      const crds = providerCrds();
      await installProviderCrds(admin, crds);
      say('installing Crossplane and starting it with its RBAC manager');
      const crossplane = await Crossplane.install({ core: tools.core, coreModule: tools.coreModule }, plane, processes, join(dir, 'crossplane'));
      const kinds = [...composedKinds(crds), ...CORE_COMPOSED];
      for (const kind of kinds)
        await waitFor(`${kind.kind} to be served`, async () => ((await admin.resource(kind.apiVersion, kind.kind)) ? true : undefined), 60_000);

      say('building the packages, pushing them to a loopback registry and installing them');
      const registry = await Registry.start(tools.crane, processes);
      const fn = await RunningFunction.start(processes, plane.pki, dir);
      await installPackages(admin, tools.cli, registry, fn);
      await waitForXrds(admin);

      for (const name of [NAMESPACE, 'argocd']) await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      const provider = await StandInProvider.start(plane.client('provider'), kinds, [MANAGEMENT_PROVIDER_CONFIG]);
      const monitor = await XrMonitor.start(admin, XR_KINDS);
      const platform = new Platform(processes, admin, crossplane, fn, provider, monitor, kinds);
      platform.sampleBreaker();
      return platform;
    } catch (error) {
      await processes.stopAll();
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.stopSampling();
    this.monitor.stop();
    this.provider.stop();
    await this.processes.stopAll();
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
    const dead = this.processes.firstDead();
    if (dead) throw new StopWaiting(`${dead.name} exited (${dead.exitDescription}); see ${dead.logFile}`);
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
  for (const { kind } of XR_KINDS) await waitFor(`${kind} to be served`, async () => ((await admin.resource(API_VERSION, kind)) ? true : undefined), 30_000);
}

/** Ready=True, and Crossplane has reconciled the spec as it is now (not the one before an edit). */
export function isReadyForCurrentSpec(xr: KubeObject | undefined): boolean {
  const generation = xr?.metadata.generation ?? 0;
  const current = (type: string) => {
    const c = condition(xr, type);
    return c?.status === 'True' && (c.observedGeneration === undefined || c.observedGeneration >= generation);
  };
  return current('Ready') && current('Synced');
}

export function describeConditions(xr: KubeObject | undefined): string {
  if (!xr) return 'absent';
  const conditions = ((xr.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? []).map(
    (c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? ` (${c.message.slice(0, 300)})` : ''}`,
  );
  return conditions.join('; ') || 'no conditions';
}
