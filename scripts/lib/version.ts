import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/**
 * The one version of everything (packages, image, Configuration dependency), from
 * package.json. `npm version` updates the other places through scripts/set-version.mjs.
 */
export function projectVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The tag packages and images carry. */
export const packageTag = (version: string = projectVersion()) => `v${version}`;
