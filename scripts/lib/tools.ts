import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export interface CrossplaneTools {
  /** The `crossplane` CLI. */
  readonly cli: string;
  /** The core binary, passed to render as --crossplane-binary. */
  readonly core: string;
  /** Crossplane's own CRDs (pkg, protection, ...) from the core module in the Go module cache. */
  readonly coreCrds: string;
}

let cached: CrossplaneTools | undefined;

/** Builds the binaries on first use (progress goes to stderr) and returns their paths. */
export function crossplaneTools(): CrossplaneTools {
  if (cached) return cached;
  const output = execFileSync('bash', [join(ROOT, 'scripts', 'tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const value = (key: string) => {
    const line = output.split('\n').find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`scripts/tools.sh did not report ${key}`);
    return line.slice(key.length + 1);
  };
  cached = { cli: value('CROSSPLANE_CLI'), core: value('CROSSPLANE_CORE'), coreCrds: value('CROSSPLANE_CORE_CRDS') };
  return cached;
}
