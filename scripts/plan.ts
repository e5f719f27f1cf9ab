// `npm start`: the main job on the built-in example. Renders the example platform (the network,
// the management cluster and the dev, stg and prd clusters) offline through the real Crossplane
// CLI, reconcile after reconcile until nothing new appears, prints the plan, and writes
// out/platform.yaml (the converged stream) and out/topology.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterStatus } from '../functions/k8tre/cluster/status.js';
import type { NetworkStatus } from '../functions/k8tre/network/status.js';
import { ROOT } from './lib/paths.js';
import { convergedStream, EXAMPLE_PLATFORM, renderPlatform, type RenderedPlatform } from './lib/platform.js';
import { planReport } from './lib/plan-report.js';
import { lastRound } from './lib/reconcile.js';
import { RenderSession } from './lib/render-engine.js';
import { topologySvg } from './lib/topology-svg.js';

export const OUT_DIR = join(ROOT, 'out');

export interface Plan {
  readonly platform: RenderedPlatform;
  readonly report: string;
  readonly files: { readonly stream: string; readonly topology: string };
}

export async function plan(progress: (message: string) => void, outDir: string = OUT_DIR): Promise<Plan> {
  progress('building or finding the Crossplane CLI and render engine (the first run builds them: several minutes)');
  const session = await RenderSession.start();
  try {
    const platform = await renderPlatform(session, EXAMPLE_PLATFORM, progress);
    mkdirSync(outDir, { recursive: true });
    const files = { stream: join(outDir, 'platform.yaml'), topology: join(outDir, 'topology.svg') };
    writeFileSync(files.stream, convergedStream(platform));
    const network = lastRound(platform.network.rounds).xr.status as NetworkStatus;
    const clusters = platform.clusters.map((c) => lastRound(c.rounds).xr.status as ClusterStatus);
    writeFileSync(files.topology, topologySvg(network, clusters));
    return { platform, report: planReport(platform), files };
  } finally {
    session.stop();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const result = await plan((message) => process.stderr.write(`[plan] ${message}\n`));
  process.stdout.write(`\n${result.report}`);
  const rel = (path: string) => relative(process.cwd(), path);
  process.stdout.write(
    `\nWrote ${rel(result.files.stream)} (the converged YAML stream) and ${rel(result.files.topology)} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n` +
      'All IDs are fake: every render feeds the previous one back as observed state, as a live control plane would.\n',
  );
}
