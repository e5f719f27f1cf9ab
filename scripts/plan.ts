// `npm start`: the main job. Renders a platform offline through the real Crossplane CLI, reconcile
// after reconcile until nothing new appears, prints the plan, and writes out/platform.yaml (the
// converged stream) and the picture of each network.
//
//   npm start                          the built-in example (examples/network/k8tre.yaml and its clusters)
//   npm start -- <files or folders>    your own XK8treNetworks and XK8treClusters
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterStatus } from '../functions/k8tre/cluster/status.js';
import type { NetworkStatus } from '../functions/k8tre/network/status.js';
import { ROOT } from './lib/paths.js';
import {
  convergedStream,
  EXAMPLE_FILES,
  livesIn,
  namespaceOf,
  PlatformInputError,
  readPlatform,
  renderPlatform,
  type RenderedPlatform,
} from './lib/platform.js';
import { planReport } from './lib/plan-report.js';
import { lastRound, RenderFailure } from './lib/reconcile.js';
import { RenderSession } from './lib/render-engine.js';
import { topologySvg } from './lib/topology-svg.js';

export const OUT_DIR = join(ROOT, 'out');

export interface Plan {
  readonly platform: RenderedPlatform;
  readonly report: string;
  /** Documents in the files given that are not XRs of this package, skipped. */
  readonly skipped: readonly string[];
  /** out/platform.yaml, and one picture per network: out/topology.svg, or out/topology-<namespace>-<network>.svg for several. */
  readonly files: { readonly stream: string; readonly topologies: readonly string[] };
}

export async function plan(progress: (message: string) => void, outDir: string = OUT_DIR, paths: readonly string[] = EXAMPLE_FILES): Promise<Plan> {
  const { platform: input, skipped } = readPlatform(paths.map((p) => resolve(ROOT, p)));
  progress('building or finding the Crossplane CLI and render engine (the first run builds them: several minutes)');
  const session = await RenderSession.start();
  try {
    const platform = await renderPlatform(session, input, progress);
    mkdirSync(outDir, { recursive: true });
    const stream = join(outDir, 'platform.yaml');
    writeFileSync(stream, convergedStream(platform));
    const clusters = platform.clusters.map((c) => lastRound(c.rounds).xr);
    const topologies = platform.networks.map((rendered) => {
      const xr = lastRound(rendered.rounds).xr;
      const own = clusters.filter((c) => livesIn(c, xr)).map((c) => c.status as ClusterStatus);
      const namespace = namespaceOf(xr);
      const file = join(outDir, platform.networks.length === 1 ? 'topology.svg' : `topology-${namespace}-${xr.metadata.name}.svg`);
      writeFileSync(file, topologySvg(xr.status as NetworkStatus, own));
      return file;
    });
    return { platform, report: planReport(platform), skipped, files: { stream, topologies } };
  } finally {
    session.stop();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const paths = process.argv.slice(2);
  try {
    const result = await plan(
      (message) => process.stderr.write(`[plan] ${message}\n`),
      OUT_DIR,
      paths.length > 0 ? paths.map((p) => resolve(p)) : EXAMPLE_FILES,
    );
    for (const doc of result.skipped) process.stderr.write(`[plan] skipped ${doc}: not an XR of this package\n`);
    process.stdout.write(`\n${result.report}`);
    const rel = (path: string) => relative(process.cwd(), path);
    process.stdout.write(
      `\nWrote ${rel(result.files.stream)} (the converged YAML stream) and ${result.files.topologies.map(rel).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n` +
        'All IDs are fake: every render feeds the previous one back as observed state, as a live control plane would.\n',
    );
  } catch (error) {
    // Bad input: the function's own message, which names the field, and no stack.
    if (error instanceof RenderFailure) process.stderr.write(`${error.label} is refused:\n${error.stderr.trim()}\n`);
    else if (error instanceof PlatformInputError) process.stderr.write(`${error.message}\n`);
    else throw error;
    process.exit(1);
  }
}
