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
export const FUNCTION_ENTRY = join(ROOT, 'dist', 'functions', 'k8tre', 'main.js');

/** Upstream provider CRDs: ../shared/crds beside the checkout, unless K8TRE_CRDS_DIR says otherwise. */
export function crdsDir(): string {
  return resolve(process.env.K8TRE_CRDS_DIR ?? join(ROOT, '..', 'shared', 'crds'));
}
