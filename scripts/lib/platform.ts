import { toCliInput } from './yaml.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { KIND as CLUSTER_KIND } from '../../functions/k8tre/cluster/api.js';
import { KIND as NETWORK_KIND } from '../../functions/k8tre/network/api.js';
import { NETWORK_REQUIREMENT } from '../../functions/k8tre/cluster/network-input.js';
import { lastRound, parseStream, treeStream, type Manifest, type Round } from './reconcile.js';
import { settleThenRender } from './settle.js';
import type { RenderSession } from './render-engine.js';

// A platform rendered offline: each network reconciled until nothing new appears, then each
// cluster the same way with its settled network as its required resource. Every round feeds the
// previous one back as observed state with fake IDs (reconcile.ts), so the last round shows
// everything the platform ends up with. The rounds run in-process and the last of every XR
// through the real CLI (settle.ts): about forty renders for the example, where rendering every
// round took two hundred.

/** One XR to render: where it came from, for people, and its manifest. */
export interface PlatformXr {
  readonly source: string;
  readonly xr: Manifest;
}

export interface Platform {
  readonly networks: readonly PlatformXr[];
  readonly clusters: readonly PlatformXr[];
}

export interface RenderedXr {
  /** Where the XR came from: a file, with the document's position when the file holds several. */
  readonly file: string;
  readonly rounds: readonly Round[];
}

export interface RenderedPlatform {
  readonly networks: readonly RenderedXr[];
  readonly clusters: readonly RenderedXr[];
}

export const EXAMPLE_FILES = [
  'examples/network/k8tre.yaml',
  'examples/cluster/mgmt.yaml',
  'examples/cluster/dev.yaml',
  'examples/cluster/stg.yaml',
  'examples/cluster/prd.yaml',
] as const;

/** Enough rounds for the longest chain of waits (the management cluster's ArgoCD). */
const MAX_ROUNDS = 14;

/** A problem with the files given, said so that the person who gave them can act on it. */
export class PlatformInputError extends Error {}

/**
 * Every XK8treNetwork and XK8treCluster in the given files and folders (recursively, *.yaml and
 * *.yml), in the order given, networks first. Other documents are skipped and listed.
 */
export function readPlatform(paths: readonly string[]): { platform: Platform; skipped: string[] } {
  const files = paths.flatMap((path) => yamlFiles(path));
  if (files.length === 0) throw new PlatformInputError(`no YAML files in ${paths.join(', ')}`);
  const networks: PlatformXr[] = [];
  const clusters: PlatformXr[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const docs = parseStream(readFileSync(file, 'utf8'));
    docs.forEach((doc, i) => {
      const source = docs.length > 1 ? `${relative(process.cwd(), file)}#${i + 1}` : relative(process.cwd(), file);
      if (doc.kind === NETWORK_KIND) networks.push({ source, xr: doc });
      else if (doc.kind === CLUSTER_KIND) clusters.push({ source, xr: doc });
      else skipped.push(`${source} (${doc.kind})`);
    });
  }
  if (networks.length + clusters.length === 0) throw new PlatformInputError(`no ${NETWORK_KIND} or ${CLUSTER_KIND} in ${paths.join(', ')}`);
  for (const cluster of clusters) networkOf(cluster, networks);
  return { platform: { networks, clusters }, skipped };
}

function yamlFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new PlatformInputError(`${path}: no such file or folder`);
  }
  if (stat.isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => (entry.isDirectory() ? yamlFiles(join(path, entry.name)) : /\.ya?ml$/.test(entry.name) ? [join(path, entry.name)] : []));
}

export const namespaceOf = (xr: Manifest) => (xr.metadata as { namespace?: string }).namespace ?? 'default';

/** Whether a cluster XR lives in a network XR: its networkRef, in its own namespace. */
export function livesIn(cluster: Manifest, network: Manifest): boolean {
  const name = (cluster.spec as { networkRef?: { name?: string } } | undefined)?.networkRef?.name;
  return name === network.metadata.name && namespaceOf(cluster) === namespaceOf(network);
}

/** The network a cluster lives in, which must be among the XRs rendered (it is its required resource). */
function networkOf(cluster: PlatformXr, networks: readonly PlatformXr[]): PlatformXr {
  const name = (cluster.xr.spec as { networkRef?: { name?: string } } | undefined)?.networkRef?.name;
  const found = networks.find((n) => livesIn(cluster.xr, n.xr));
  if (!found) {
    throw new PlatformInputError(
      `${cluster.source}: spec.networkRef.name ${JSON.stringify(name)} names no ${NETWORK_KIND} in namespace ${namespaceOf(cluster.xr)} among the files given; add its file`,
    );
  }
  return found;
}

/**
 * Every network reconciled until settled, and each cluster against its settled network as soon as
 * that is ready: networks and clusters run side by side, as many renders at once as the session
 * allows. The results keep the order of the input. Says how long each took.
 */
export async function renderPlatform(session: RenderSession, platform: Platform, progress: (message: string) => void = () => {}): Promise<RenderedPlatform> {
  const work = mkdtempSync(join(tmpdir(), 'k8tre-platform-'));
  const started = Date.now();
  const took = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  try {
    const write = (name: string, xr: Manifest) => {
      const file = join(work, name);
      writeFileSync(file, toCliInput(xr));
      return file;
    };
    const reconcile = async (source: string, xr: Manifest, onRendered?: (round: Round) => void, network?: SettledNetwork): Promise<RenderedXr> => {
      const since = Date.now();
      progress(`reconciling ${source}${network ? ' against its settled network' : ''}`);
      const rounds = await settleThenRender(session, xr, {
        label: source,
        maxRounds: MAX_ROUNDS,
        onRendered,
        ...(network && { required: { [NETWORK_REQUIREMENT]: [network.xr] }, requiredFile: network.file }),
      });
      progress(`${source} settled in ${plural(rounds.length, 'reconcile')}, ${took(since)} (${took(started)} from the start)`);
      return { file: source, rounds };
    };
    // A cluster starts once its network's own last round is rendered, while the network's children still are.
    const settledNetworks = platform.networks.map(() => deferred<SettledNetwork>());
    const networks = platform.networks.map((network, i) => {
      const settled = settledNetworks[i]!;
      const rendering = reconcile(network.source, network.xr, (round) => settled.resolve({ xr: round.xr, file: write(`network-${i}-settled.yaml`, round.xr) }));
      rendering.catch(settled.reject);
      return rendering;
    });
    const clusters = platform.clusters.map(async (cluster) => {
      const network = await settledNetworks[platform.networks.indexOf(networkOf(cluster, platform.networks))]!.promise;
      return reconcile(cluster.source, cluster.xr, undefined, network);
    });
    // Every render ends before the work folder goes; the first failure, networks first, is the one told.
    const outcomes = await Promise.allSettled([...networks, ...clusters]);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    return { networks: await Promise.all(networks), clusters: await Promise.all(clusters) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface SettledNetwork {
  readonly xr: Manifest;
  /** The XR in a file, for the CLI's --required-resources. */
  readonly file: string;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  // A network that fails is told through its own outcome; its clusters' waits need no handler of their own.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The converged YAML stream of every XR: what out/platform.yaml holds. */
export function convergedStream(platform: RenderedPlatform): string {
  return [...platform.networks, ...platform.clusters].map((xr) => treeStream(lastRound(xr.rounds)).replace(/^---\n/, '')).join('---\n');
}
