import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/paths.js';
import { parseStream } from '../../scripts/lib/reconcile.js';
import { loadExample, withField } from '../support/function.js';

// `npm run render` as users run it: the script, its exit code, and its stdout read through a
// pipe (which Node writes asynchronously, so an early exit would cut the stream short).

const renderScript = join(ROOT, 'dist', 'scripts', 'render.js');
const run = (...args: string[]) => spawnSync(process.execPath, [renderScript, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** Runs the script into a shell pipe whose reader starts late, like `| npm run validate` starting up. */
function runIntoSlowReader(...args: string[]): { status: number | null; stdout: string } {
  const command = `set -o pipefail; "${process.execPath}" "${renderScript}" ${args.map((a) => `'${a}'`).join(' ')} 2>/dev/null | (sleep 1; cat)`;
  const result = spawnSync('bash', ['-c', command], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout };
}

describe('npm run render', () => {
  it('prints the whole YAML stream through a pipe, even to a slow reader', () => {
    const result = runIntoSlowReader('examples/network/k8tre.yaml', 'examples/network/existing-hub.yaml', 'examples/network/internal-domain.yaml');
    expect(result.status).toBe(0);
    const docs = parseStream(result.stdout);
    expect(docs.filter((d) => d.kind === 'XK8treNetwork').map((d) => d.metadata.name)).toEqual(['k8tre', 'lz', 'legacy']);
    // More than a pipe holds (64 KiB on Linux), so the writer must wait for the reader.
    expect(result.stdout.length).toBeGreaterThan(64 * 1024);
  });

  it('passes flags after -- to crossplane', () => {
    const result = run('examples/network/k8tre.yaml', '--', '--include-function-results');
    expect(result.status, result.stderr).toBe(0);
    expect(parseStream(result.stdout).some((d) => d.kind === 'Result')).toBe(true);
  });

  it('exits non-zero with the function’s message on a Fatal result', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8tre-cli-'));
    writeFileSync(join(dir, 'xr.yaml'), toKubernetesYaml(withField(loadExample('examples/network/k8tre.yaml'), 'spec.dns.publicZone', 'not a zone')));
    const result = run(join(dir, 'xr.yaml'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('spec.dns.publicZone: "not a zone" is not a lowercase DNS name');
  });
});
