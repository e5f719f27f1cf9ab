import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { APPLICATION, ARGOCD_NAMESPACE, type ArgoCd } from '../../lib/argocd.js';
import type { GitRepo } from '../../lib/git-repo.js';
import { waitFor, type Kube, type KubeObject } from '../../lib/kube.js';
import { redisCommand } from '../../lib/redis.js';
import type { Platform } from '../../platform.js';

// What the ArgoCD scenarios share: the fork and the running ArgoCD (set by the first), how to
// read an Application as `kubectl get application` shows it, and ArgoCD's resource tree (what
// its UI shows), which ArgoCD keeps in Redis rather than in the Application.

export interface Gitops {
  readonly repo: GitRepo;
  readonly argocd: ArgoCd;
  /** The Applications under apps/, by name, with their sync wave. */
  readonly waves: Map<string, number>;
  readonly sampler: ArgoSampler;
  /** Every composed object's UID once the walkthrough converged, by "<kind>/<namespace>/<name>". */
  composedUids?: Map<string, string>;
}

let current: Gitops | undefined;

export function gitops(): Gitops {
  if (!current) throw new Error('ArgoCD is not running: the argocd-sync scenario starts it');
  return current;
}

/** What the ArgoCD scenarios share, from the one that starts ArgoCD until its platform stops. */
export function setGitops(state: Gitops | undefined): void {
  current = state;
}

/** The app of apps, from bootstrap/root.yaml. */
export const ROOT_APP = 'k8tre-platform';

/** A resource in the result of an Application's last sync operation. */
export interface SyncedResource {
  readonly kind: string;
  readonly name: string;
  readonly status?: string;
  readonly message?: string;
}

export interface AppState {
  readonly sync?: string;
  readonly health?: string;
  /** The revision the Application compares with. */
  readonly revision?: string;
  readonly operationPhase?: string;
  readonly operationMessage?: string;
  /** The revision the last sync operation applied, and what became of each resource. */
  readonly operationRevision?: string;
  readonly operationResources: SyncedResource[];
  /** The resources the Application tracks as its own. */
  readonly resources: { readonly kind: string; readonly name: string; readonly requiresPruning?: boolean }[];
  /** Successful syncs so far (status.history). */
  readonly syncs: number;
  readonly conditions: string[];
}

export function appState(app: KubeObject | undefined): AppState {
  const status = (app?.status ?? {}) as {
    sync?: { status?: string; revision?: string };
    health?: { status?: string };
    operationState?: { phase?: string; message?: string; syncResult?: { revision?: string; resources?: SyncedResource[] } };
    resources?: AppState['resources'];
    history?: unknown[];
    conditions?: { type: string; message?: string }[];
  };
  return {
    sync: status.sync?.status,
    health: status.health?.status,
    revision: status.sync?.revision,
    operationPhase: status.operationState?.phase,
    operationMessage: status.operationState?.message,
    operationRevision: status.operationState?.syncResult?.revision,
    operationResources: status.operationState?.syncResult?.resources ?? [],
    resources: status.resources ?? [],
    syncs: status.history?.length ?? 0,
    conditions: (status.conditions ?? []).map((c) => `${c.type}: ${c.message ?? ''}`),
  };
}

export const describeApp = (name: string, app: KubeObject | undefined) => {
  if (!app) return `${name}: absent`;
  const s = appState(app);
  return `${name}: ${s.sync ?? '?'}/${s.health ?? '?'} at ${s.revision?.slice(0, 8) ?? '?'}; operation ${s.operationPhase ?? 'none'}${s.operationMessage ? ` (${s.operationMessage.slice(0, 400)})` : ''}${s.conditions.length ? `; ${s.conditions.join('; ').slice(0, 400)}` : ''}`;
};

export async function application(admin: Kube, name: string): Promise<KubeObject | undefined> {
  return admin.get(APPLICATION.apiVersion, APPLICATION.kind, name, ARGOCD_NAMESPACE);
}

/** Asks ArgoCD to fetch the repository again now, rather than when its revision cache expires (3 minutes). */
export async function hardRefresh(admin: Kube, name: string): Promise<void> {
  const app = await application(admin, name);
  if (app) await admin.mergePatch(app, { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard' } } });
}

/** Waits until every Application named is Synced and Healthy at the revision given (any, if none). */
export async function waitSyncedHealthy(platform: Platform, names: readonly string[], timeoutMs: number, revision?: string): Promise<void> {
  await waitFor(
    `${names.join(', ')} to be Synced and Healthy${revision ? ` at ${revision.slice(0, 8)}` : ''}`,
    async () => {
      platform.failIfDead();
      const apps = await Promise.all(names.map((name) => application(platform.admin, name)));
      return apps.every((app) => {
        const s = appState(app);
        return s.sync === 'Synced' && s.health === 'Healthy' && (!revision || s.revision === revision);
      })
        ? true
        : undefined;
    },
    timeoutMs,
    async () => (await Promise.all(names.map(async (name) => describeApp(name, await application(platform.admin, name))))).join('\n  '),
  );
}

/** The Applications a folder of the fork declares, with their sync waves. */
export function declaredApplications(repo: GitRepo, files: readonly string[]): Map<string, number> {
  const waves = new Map<string, number>();
  for (const file of files)
    for (const doc of parseAllDocuments(repo.read(file))) {
      const object = doc.toJS() as KubeObject | null;
      if (object?.kind !== 'Application') continue;
      waves.set(object.metadata.name, Number(object.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0));
    }
  return waves;
}

export interface TreeNode {
  readonly group?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
  readonly parentRefs?: { group?: string; kind: string; namespace?: string; name: string; uid?: string }[];
  readonly health?: { status?: string; message?: string };
}

/**
 * An Application's resource tree as ArgoCD's UI shows it: every resource ArgoCD relates to
 * the Application, through its tracking or through owner references, with the health ArgoCD
 * computed. ArgoCD keeps it gzipped in Redis under "app|resources-tree|<app>|<cache version>".
 */
export async function resourceTree(argocd: ArgoCd, app: string): Promise<TreeNode[]> {
  const keys = (await redisCommand(argocd.redisPort, 'KEYS', `app|resources-tree|${app}|*`)) as Buffer[];
  const key = keys.map((k) => k.toString('utf8')).find((k) => k.endsWith('.gz'));
  if (!key) return [];
  const value = await redisCommand(argocd.redisPort, 'GET', key);
  if (!Buffer.isBuffer(value)) return [];
  return (JSON.parse(gunzipSync(value).toString('utf8')) as { nodes?: TreeNode[] }).nodes ?? [];
}

/**
 * What ArgoCD shows, for the whole suite: when each Application was first Synced and Healthy
 * (from a watch, so within milliseconds), and, sampled about once a second, every health
 * (status and message) ArgoCD gave each XR in its resource tree.
 */
export class ArgoSampler {
  /** First time (ms) each Application was seen Synced and Healthy. */
  readonly firstHealthy = new Map<string, number>();
  /** "<app>" → the distinct "<status>: <message>" ArgoCD showed for its XR. */
  readonly xrHealth = new Map<string, Set<string>>();
  /** Applications seen OutOfSync after they were first Synced and Healthy, with when. */
  readonly outOfSyncAfterHealthy = new Map<string, number>();
  private readonly apps = new Set<string>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private stopWatch = () => undefined as void;

  private constructor(private readonly argocd: ArgoCd) {}

  static async start(admin: Kube, argocd: ArgoCd): Promise<ArgoSampler> {
    const sampler = new ArgoSampler(argocd);
    sampler.stopWatch = await admin.watch(APPLICATION.apiVersion, APPLICATION.kind, (phase, app) => sampler.observe(phase, app));
    sampler.sampleTrees();
    return sampler;
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch();
    clearTimeout(this.timer);
  }

  private observe(phase: string, app: KubeObject): void {
    const name = app.metadata.name;
    if (phase === 'DELETED') {
      this.apps.delete(name);
      return;
    }
    this.apps.add(name);
    const state = appState(app);
    if (state.sync === 'Synced' && state.health === 'Healthy' && !this.firstHealthy.has(name)) this.firstHealthy.set(name, Date.now());
    if (state.sync === 'OutOfSync' && this.firstHealthy.has(name) && !this.outOfSyncAfterHealthy.has(name)) this.outOfSyncAfterHealthy.set(name, Date.now());
  }

  private sampleTrees(): void {
    const sample = async () => {
      try {
        for (const name of this.apps)
          for (const node of await resourceTree(this.argocd, name)) {
            if (!node.kind.startsWith('XK8tre') || node.parentRefs?.length) continue;
            const seen = this.xrHealth.get(name) ?? new Set<string>();
            seen.add(`${node.health?.status ?? 'none'}: ${node.health?.message ?? ''}`);
            this.xrHealth.set(name, seen);
          }
      } catch {
        // Redis is between states; the next sample sees it.
      }
      if (!this.stopped) this.timer = setTimeout(() => void sample(), 1_000).unref();
    };
    void sample();
  }
}
