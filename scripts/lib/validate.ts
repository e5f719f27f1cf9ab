import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crdsDir, PACKAGE_DIR, ROOT } from './paths.js';
import { run, type RenderResult } from './render-engine.js';
import { crossplaneTools } from './tools.js';

/**
 * `crossplane resource validate` of a YAML stream against the package's XRDs and the
 * upstream provider CRDs, with missing schemas counted as errors. With ../shared/crds
 * present (or K8TRE_CRDS_DIR) nothing is downloaded: Crossplane's own image is skipped and
 * the providers' CRDs are read from disk. Without it, the CLI falls back to downloading the
 * packages the Configuration depends on.
 *
 * Crossplane's own package and protection CRDs (Provider, Configuration,
 * DeploymentRuntimeConfig, Usage) come from the core module the tools script downloads; the
 * apiextensions ones are already in ../shared/crds.
 */
export async function validateStream(yaml: string): Promise<RenderResult> {
  const { cli, coreCrds } = crossplaneTools();
  const cache = join(ROOT, '.cache', 'validate');
  mkdirSync(cache, { recursive: true });
  const common = ['resource', 'validate', `--cache-dir=${cache}`, '--error-on-missing-schemas', '--skip-success-results'];

  const crds = crdsDir();
  if (existsSync(crds)) {
    const extensions = [
      join(PACKAGE_DIR, 'apis'),
      ...readdirSync(crds, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(crds, d.name)),
      ...crossplaneOwnCrds(coreCrds),
    ];
    return run(cli, [...common, '--crossplane-image=', extensions.join(','), '-'], yaml);
  }
  return run(cli, [...common, `${join(PACKAGE_DIR, 'apis')},${join(PACKAGE_DIR, 'crossplane.yaml')}`, '-'], yaml);
}

const CROSSPLANE_OWN_GROUPS = ['pkg.crossplane.io_', 'protection.crossplane.io_'];

function crossplaneOwnCrds(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => CROSSPLANE_OWN_GROUPS.some((group) => file.startsWith(group)))
    .map((file) => join(dir, file));
}
