import { KubeConfig, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { request as httpsRequest, type RequestOptions } from 'node:https';

// The end-to-end run's client for the API server, on @kubernetes/client-node: its KubeConfig
// authenticates every request and its Watch streams events. Objects travel as plain JSON,
// not through the library's typed models: those drop fields they do not model (a CRD's
// `x-kubernetes-int-or-string`, for one), and a test of what the server accepts must send
// exactly what the package composes.

export type Json = Record<string, unknown>;

export interface KubeObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: NonNullable<KubernetesObject['metadata']> & { name: string };
  [key: string]: unknown;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export type WatchPhase = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A refusal or failure from the API server, with its status code and message. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 60_000;

interface ResourceInfo {
  readonly plural: string;
  readonly namespaced: boolean;
}

export class Kube {
  private readonly resources = new Map<string, ResourceInfo>();

  constructor(
    readonly config: KubeConfig,
    private readonly fieldManager: string,
  ) {}

  static fromFile(kubeconfig: string, fieldManager: string): Kube {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfig);
    return new Kube(config, fieldManager);
  }

  /** Server-side apply, forcing ownership: what `kubectl apply --server-side --force-conflicts` does. */
  async apply<T extends KubeObject>(object: T, fieldManager = this.fieldManager): Promise<T> {
    const query = `?fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
    return (await this.raw('PATCH', `${await this.objectPath(object)}${query}`, object, 'application/apply-patch+yaml')) as T;
  }

  async get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return (await this.raw('GET', await this.objectPath({ apiVersion, kind, metadata: { name, namespace } }))) as T;
    } catch (error) {
      if (error instanceof KubeError && error.code === 404) return undefined;
      throw error;
    }
  }

  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<T[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const list = (await this.raw('GET', `${await this.collectionPath(apiVersion, kind, namespace)}${query}`)) as { items: T[] };
    // Lists omit each item's apiVersion and kind.
    return list.items.map((item) => ({ ...item, apiVersion, kind }));
  }

  /** Deletes (background propagation unless told otherwise); a 404 counts as done. Refusals throw a KubeError with the server's message. */
  async delete(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, propagationPolicy = 'Background'): Promise<void> {
    try {
      await this.raw('DELETE', await this.objectPath(object), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy });
    } catch (error) {
      if (error instanceof KubeError && error.code === 404) return;
      throw error;
    }
  }

  /** A JSON merge patch of the object itself (finalizers, annotations). */
  async mergePatch(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, patch: Json): Promise<KubeObject> {
    return (await this.raw('PATCH', await this.objectPath(object), patch, 'application/merge-patch+json')) as KubeObject;
  }

  /** A JSON merge patch of the status subresource, as controllers write status. */
  /** Merge-patches status; `ifUnchanged` makes it fail (409) if the object changed since it was read. */
  async patchStatus(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, status: Json, ifUnchanged = false): Promise<KubeObject> {
    const body = ifUnchanged ? { metadata: { resourceVersion: object.metadata.resourceVersion }, status } : { status };
    return (await this.raw('PATCH', `${await this.objectPath(object)}/status`, body, 'application/merge-patch+json')) as KubeObject;
  }

  /**
   * Watches every object of a kind, in all namespaces, from now on: the handler sees the
   * current objects as ADDED first. A kind not served yet (its CRD comes with a package still
   * installing) is watched once it is. Restarts when the server closes the watch. Returns a
   * function that ends it.
   */
  async watch(apiVersion: string, kind: string, handler: (phase: WatchPhase, object: KubeObject) => void): Promise<() => void> {
    const watcher = new Watch(this.config);
    let stopped = false;
    let abort: AbortController | undefined;
    let path: string | undefined;
    const again = (ms: number) => {
      if (!stopped) setTimeout(() => void start().catch(() => again(1_000)), ms);
    };
    const start = async (): Promise<void> => {
      if (stopped) return;
      if (!path) {
        try {
          path = await this.collectionPath(apiVersion, kind);
        } catch (error) {
          if (!(error instanceof KubeError && error.code === 404)) throw error;
          again(1_000);
          return;
        }
      }
      abort = await watcher.watch(
        path,
        { allowWatchBookmarks: false },
        (phase: string, object: KubeObject) => {
          if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') handler(phase, { ...object, apiVersion, kind });
        },
        () => again(200),
      );
      // Stopped while the request was being made: nothing else will end it.
      if (stopped) abort.abort();
    };
    await start();
    return () => {
      stopped = true;
      abort?.abort();
    };
  }

  /** GET or POST a path as is, e.g. /readyz or /apis/<group>/<version>. */
  async raw(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    const url = new URL(path, this.config.getCurrentCluster()?.server);
    const options: RequestOptions = { method, hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers: {} };
    await this.config.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) options.headers = { ...options.headers, 'content-type': contentType, 'content-length': Buffer.byteLength(payload) };
    return new Promise((resolve, reject) => {
      const req = httpsRequest(options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Plain text, e.g. /readyz.
          }
          if (code >= 200 && code < 300) resolve(parsed);
          else reject(new KubeError(code, messageOf(parsed) ?? `${method} ${path}: HTTP ${code}`));
        });
      });
      req.on('error', reject);
      // A request the server never answers must fail, not hang the run.
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS / 1000}s`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  async objectPath(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<string> {
    const info = await this.resource(object.apiVersion, object.kind);
    const namespace = info.namespaced ? `/namespaces/${object.metadata.namespace ?? 'default'}` : '';
    return `${apiPrefix(object.apiVersion)}${namespace}/${info.plural}/${object.metadata.name}`;
  }

  /** The collection in one namespace, or across all when none is given. */
  private async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const info = await this.resource(apiVersion, kind);
    const scope = info.namespaced && namespace ? `/namespaces/${namespace}` : '';
    return `${apiPrefix(apiVersion)}${scope}/${info.plural}`;
  }

  /** Waits until the API server serves a kind, e.g. after its CRD was applied. */
  async waitServed(apiVersion: string, kind: string, timeoutMs: number): Promise<void> {
    await waitFor(`${kind} to be served`, async () => ((await this.resource(apiVersion, kind).catch(() => undefined)) ? true : undefined), timeoutMs);
  }

  /** Discovery, cached; forget() after CRDs change. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const key = `${apiVersion}/${kind}`;
    const cached = this.resources.get(key);
    if (cached) return cached;
    const list = (await this.raw('GET', apiPrefix(apiVersion))) as { resources: { name: string; kind: string; namespaced: boolean }[] };
    for (const r of list.resources) if (!r.name.includes('/')) this.resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    const found = this.resources.get(key);
    if (!found) throw new KubeError(404, `the API server serves no ${kind} in ${apiVersion}`);
    return found;
  }
}

function apiPrefix(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function messageOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
    ? (body as { message: string }).message
    : undefined;
}

export function conditionsOf(object: KubeObject | undefined): Condition[] {
  const status = object?.status as { conditions?: Condition[] } | undefined;
  return status?.conditions ?? [];
}

export function condition(object: KubeObject | undefined, type: string): Condition | undefined {
  return conditionsOf(object).find((c) => c.type === type);
}

/** Thrown inside a wait's check when waiting longer cannot help, e.g. a component died. */
export class StopWaiting extends Error {}

/** Polls until the check returns a value, or fails naming what it waited for and what it last saw. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, describe?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let nextNote = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (process.env.K8TRE_E2E_DEBUG && Date.now() > nextNote) {
      nextNote = Date.now() + 60_000;
      process.stderr.write(`[e2e] still waiting for ${what}\n`);
    }
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = error;
    }
    await sleep(500);
  }
  const seen = describe ? await describe().catch((error: unknown) => String(error)) : lastError instanceof Error ? lastError.message : '';
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${seen ? `\n  last seen: ${seen}` : ''}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
