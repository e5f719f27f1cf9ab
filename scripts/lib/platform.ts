import { toKubernetesYaml } from './yaml.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { lastRound, reconcileUntilSettled, type Round } from './reconcile.js';
import type { RenderSession } from './render-engine.js';

// The example platform rendered offline: the network reconciled until nothing new appears,
// then each cluster the same way with the settled network as its required resource. Every
// round feeds the previous one back as observed state with fake IDs (reconcile.ts), so the
// last round shows everything the platform ends up with.

export const EXAMPLE_PLATFORM = {
  network: 'examples/network/k8tre.yaml',
  clusters: ['examples/cluster/mgmt.yaml', 'examples/cluster/dev.yaml', 'examples/cluster/stg.yaml', 'examples/cluster/prd.yaml'],
} as const;

export interface RenderedXr {
  readonly file: string;
  readonly rounds: readonly Round[];
}

export interface RenderedPlatform {
  readonly network: RenderedXr;
  readonly clusters: readonly RenderedXr[];
}

/** Enough rounds for the longest chain of waits (the management cluster's ArgoCD). */
const MAX_ROUNDS = 12;

export async function renderPlatform(
  session: RenderSession,
  platform: { network: string; clusters: readonly string[] } = EXAMPLE_PLATFORM,
  progress: (message: string) => void = () => {},
): Promise<RenderedPlatform> {
  const work = mkdtempSync(join(tmpdir(), 'k8tre-platform-'));
  try {
    progress(`reconciling ${platform.network}`);
    const networkRounds = await reconcileUntilSettled(session, platform.network, { maxRounds: MAX_ROUNDS });
    const networkFile = join(work, 'network.yaml');
    writeFileSync(networkFile, toKubernetesYaml(lastRound(networkRounds).xr));
    const clusters: RenderedXr[] = [];
    for (const file of platform.clusters) {
      progress(`reconciling ${basename(file)} against the settled network`);
      clusters.push({ file, rounds: await reconcileUntilSettled(session, file, { maxRounds: MAX_ROUNDS, extraArgs: ['--required-resources', networkFile] }) });
    }
    return { network: { file: platform.network, rounds: networkRounds }, clusters };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The converged YAML stream of every XR: what out/platform.yaml holds. */
export function convergedStream(platform: RenderedPlatform): string {
  return [platform.network, ...platform.clusters].map((xr) => lastRound(xr.rounds).stream.replace(/^---\n/, '')).join('---\n');
}
