import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout root, whether running from scripts/ (vitest) or dist/scripts/ (node). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root');
    dir = parent;
  }
  return dir;
}

export const ROOT = findRoot();
export const PACKAGE_DIR = join(ROOT, 'package');
export const FUNCTIONS_FILE = join(ROOT, 'examples', 'functions.yaml');
/** Data generated from upstream releases that the function ships: the Gateway API CRDs (`npm run gateway-api`). */
export const GATEWAY_API_DIR = join(ROOT, 'generated', 'gateway-api');
export const FUNCTION_ENTRY = join(ROOT, 'dist', 'functions', 'k8tre', 'main.js');

/**
 * Upstream provider CRDs: K8TRE_CRDS_DIR if set, else ../shared/crds beside the checkout, else
 * .cache/crds, which `node scripts/fetch-crds.mjs --ensure` fills (its crdsDir() is the same rule).
 */
export function crdsDir(): string {
  if (process.env.K8TRE_CRDS_DIR) return resolve(process.env.K8TRE_CRDS_DIR);
  const shared = join(ROOT, '..', 'shared', 'crds');
  return existsSync(shared) ? shared : join(ROOT, '.cache', 'crds');
}
