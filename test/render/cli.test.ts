import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { alive } from '../../scripts/lib/function-daemon.js';
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

// `npm run render` keeps its function between calls (scripts/lib/function-daemon.ts), and a warm
// call renders from scripts/render.sh without starting Node: the render loop's speed.
describe('npm run render, warm: the kept function', () => {
  const XR = 'examples/network/k8tre.yaml';
  const states: string[] = [];
  /** scripts/render.sh with its own state folder; the idle limit is a backstop should a case fail. */
  function keptRender(idleSeconds = 120) {
    const state = mkdtempSync(join(tmpdir(), 'k8tre-kept-'));
    states.push(state);
    const env = { ...process.env, K8TRE_RENDER_STATE_DIR: state, K8TRE_RENDER_IDLE_SECONDS: String(idleSeconds) };
    const render = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
      spawnSync('/bin/sh', [join(ROOT, 'scripts', 'render.sh'), ...args], {
        cwd: ROOT,
        env: { ...env, ...extraEnv },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
    const pid = () =>
      existsSync(join(state, 'daemon.json')) ? (JSON.parse(readFileSync(join(state, 'daemon.json'), 'utf8')) as { pid: number }).pid : undefined;
    return { state, render, pid };
  }
  afterAll(() => {
    for (const state of states)
      spawnSync('sh', [join(ROOT, 'scripts', 'render.sh'), '--stop'], { cwd: ROOT, env: { ...process.env, K8TRE_RENDER_STATE_DIR: state } });
  });

  /** A PATH with the tools the fast path uses and no Node, so that only the fast path can succeed. */
  function pathWithoutNode(): string {
    const bin = mkdtempSync(join(tmpdir(), 'k8tre-no-node-'));
    for (const tool of ['awk', 'dirname', 'find', 'touch']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
    return bin;
  }

  it('renders the second time through the kept function without Node, the same stream as the first', () => {
    const kept = keptRender();
    const first = kept.render([XR]);
    expect(first.status, first.stderr).toBe(0);
    const daemon = kept.pid();
    expect(daemon && alive(daemon)).toBe(true);
    const second = kept.render([XR], { PATH: pathWithoutNode() });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(kept.pid()).toBe(daemon);
  });

  it('takes the slow path, which compiles first, when a source is newer than the build', () => {
    const kept = keptRender();
    expect(kept.render([XR]).status).toBe(0);
    // A source saved after the build: here a file of its own, named as the one source to look at.
    const edited = join(mkdtempSync(join(tmpdir(), 'k8tre-source-')), 'edited.ts');
    writeFileSync(edited, '');
    utimesSync(edited, new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    const env = join(kept.state, 'function.env');
    writeFileSync(env, readFileSync(env, 'utf8').replace(/^K8TRE_SOURCES=.*$/m, `K8TRE_SOURCES='${edited}'`));
    // Without Node the slow path cannot run, so the render fails: the fast one was not taken.
    const withoutNode = kept.render([XR], { PATH: pathWithoutNode() });
    expect(withoutNode.status).not.toBe(0);
    expect(withoutNode.stderr).toMatch(/node: not found/);
  });

  it('passes flags after -- to crossplane on the fast path, and tells a Fatal as the slow path does', () => {
    const kept = keptRender();
    expect(kept.render([XR]).status).toBe(0);
    const noNode = { PATH: pathWithoutNode() };
    const withResults = kept.render([XR, '--', '--include-function-results'], noNode);
    expect(withResults.status, withResults.stderr).toBe(0);
    expect(parseStream(withResults.stdout).some((d) => d.kind === 'Result')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'k8tre-cli-'));
    writeFileSync(join(dir, 'xr.yaml'), toKubernetesYaml(withField(loadExample(XR), 'spec.dns.publicZone', 'not a zone')));
    const fatal = kept.render([join(dir, 'xr.yaml')], noNode);
    expect(fatal.status).toBe(1);
    expect(fatal.stderr).toContain(`render of ${join(dir, 'xr.yaml')} failed:`);
    expect(fatal.stderr).toContain('spec.dns.publicZone: "not a zone" is not a lowercase DNS name');
  });

  it('replaces a kept function that runs another build, which then stops', async () => {
    const kept = keptRender();
    expect(kept.render([XR]).status).toBe(0);
    const old = kept.pid()!;
    // As if the function had started before the last build: both files name an older one.
    for (const file of ['daemon.json', 'function.env']) {
      const path = join(kept.state, file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/("build":"|K8TRE_BUILD=')[^"']*/, '$1an older build'));
    }
    const again = kept.render([XR]);
    expect(again.status, again.stderr).toBe(0);
    expect(kept.pid()).not.toBe(old);
    await until(() => !alive(old));
  });

  it('stops on --stop, and by itself when unused, leaving no state behind', async () => {
    const stopped = keptRender();
    expect(stopped.render([XR]).status).toBe(0);
    const first = stopped.pid()!;
    expect(stopped.render(['--stop']).stderr).toBe('stopped the kept function\n');
    await until(() => !alive(first));
    expect(readdirSync(stopped.state).filter((f) => f !== 'function.log')).toEqual([]);

    const idle = keptRender(1);
    expect(idle.render([XR]).status).toBe(0);
    const second = idle.pid()!;
    await until(() => !alive(second));
    expect(readdirSync(idle.state).filter((f) => f !== 'function.log')).toEqual([]);
  });
});

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
