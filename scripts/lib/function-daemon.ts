import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FunctionProcess } from './function-process.js';
import { apiFilesByKind } from './package-index.js';
import { ROOT } from './paths.js';
import { renderCommand, type FunctionEndpoint } from './render-engine.js';

// The function `npm run render` keeps running between calls, as a Crossplane user keeps one
// running in a terminal for `crossplane render`'s Development runtime: starting one costs more
// than a render. It lives in a detached process that stops it, and itself, when no render has
// used it for a while, when the build it runs is replaced, or on `npm run render -- --stop`.
//
// Two files in the state folder (.cache/render, or K8TRE_RENDER_STATE_DIR):
//   daemon.json   written by the daemon once its function listens: pid, target, build;
//   function.env  written by `npm run render` for scripts/render.sh, which sources it and
//                 renders without starting Node; each render touches it, which is "used".

export interface DaemonState {
  readonly pid: number;
  readonly target: string;
  /** dist/.build-stamp's content when the function started: the build it runs. */
  readonly build: string;
}

const DEFAULT_IDLE_SECONDS = 900;
const CHECK_EVERY_MS = 2_000;

export function stateDir(): string {
  return resolve(process.env.K8TRE_RENDER_STATE_DIR ?? join(ROOT, '.cache', 'render'));
}

const daemonFile = (dir: string) => join(dir, 'daemon.json');
export const shellStateFile = (dir: string) => join(dir, 'function.env');
const logFile = (dir: string) => join(dir, 'function.log');
const BUILD_STAMP = join(ROOT, 'dist', '.build-stamp');

export function currentBuild(): string {
  return existsSync(BUILD_STAMP) ? readFileSync(BUILD_STAMP, 'utf8').trim() : '';
}

function readState(dir: string): DaemonState | undefined {
  try {
    return JSON.parse(readFileSync(daemonFile(dir), 'utf8')) as DaemonState;
  } catch {
    return undefined;
  }
}

/** Whether a process of that ID is running (signal 0 only asks). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The kept function for this build: the running one, or a new one (a stale one is stopped first). */
export async function attachOrStart(dir = stateDir()): Promise<FunctionEndpoint> {
  mkdirSync(dir, { recursive: true });
  const build = currentBuild();
  let state = readState(dir);
  if (!state || !alive(state.pid) || state.build !== build) {
    if (state && alive(state.pid)) process.kill(state.pid, 'SIGTERM');
    rmSync(daemonFile(dir), { force: true });
    const log = openSync(logFile(dir), 'w');
    const daemon = spawn(process.execPath, [fileURLToPath(import.meta.url), dir], { detached: true, stdio: ['ignore', log, log] });
    daemon.unref();
    state = await waitForState(dir, daemon.pid ?? -1);
  }
  writeShellState(dir, state);
  return { target: state.target, output: () => readFileSync(logFile(dir), 'utf8'), stop: () => {} };
}

async function waitForState(dir: string, pid: number): Promise<DaemonState> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const state = readState(dir);
    if (state?.pid === pid) return state;
    if (!alive(pid)) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the kept function did not start:\n${existsSync(logFile(dir)) ? readFileSync(logFile(dir), 'utf8') : ''}`);
}

/** Stops the kept function, if any. Says whether there was one. */
export function stopKept(dir = stateDir()): boolean {
  const state = readState(dir);
  rmSync(shellStateFile(dir), { force: true });
  rmSync(daemonFile(dir), { force: true });
  if (!state || !alive(state.pid)) return false;
  process.kill(state.pid, 'SIGTERM');
  return true;
}

/**
 * What scripts/render.sh sources: the daemon's pid and build, and per XR kind a shell function
 * rendering one file with the same command RenderSession runs (renderCommand, the one source).
 */
function writeShellState(dir: string, state: DaemonState): void {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const XR = '\u0000xr';
  const lines = [
    '# Written by `npm run render` (scripts/lib/function-daemon.ts) for scripts/render.sh.',
    `K8TRE_DAEMON_PID=${state.pid}`,
    `K8TRE_BUILD=${quote(state.build)}`,
    `K8TRE_SOURCES=${quote(buildSources().join(' '))}`,
  ];
  for (const [kind, api] of apiFilesByKind()) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) continue;
    const { cli, args, env } = renderCommand(state.target, api, XR);
    const words = [
      ...Object.entries(env).map(([key, value]) => `${key}=${quote(value ?? '')}`),
      quote(cli),
      ...args.map((a) => (a === XR ? '"$xr"' : quote(a))),
    ];
    lines.push(`k8tre_render_${kind}() { xr=$1; shift; ${words.join(' ')} "$@"; }`);
  }
  const file = shellStateFile(dir);
  writeFileSync(`${file}.tmp`, `${lines.join('\n')}\n`);
  renameSync(`${file}.tmp`, file);
}

/** What scripts/build.mjs compiles, relative to the root: a newer file there means a build is due. */
function buildSources(): string[] {
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
  return [...tsconfig.include, 'tsconfig.json', 'package-lock.json'].filter((path) => /^[A-Za-z0-9._/-]+$/.test(path));
}

/** The daemon: starts the function, says where it listens, and ends with it. */
async function runDaemon(dir: string): Promise<void> {
  const build = currentBuild();
  const fn = await FunctionProcess.start();
  const idleMs = Number(process.env.K8TRE_RENDER_IDLE_SECONDS ?? DEFAULT_IDLE_SECONDS) * 1000;
  const state: DaemonState = { pid: process.pid, target: fn.target, build };
  writeFileSync(`${daemonFile(dir)}.tmp`, JSON.stringify(state));
  renameSync(`${daemonFile(dir)}.tmp`, daemonFile(dir));
  const lastUsed = () => Math.max(...[daemonFile(dir), shellStateFile(dir)].map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  const end = (why: string) => {
    process.stdout.write(`stopping the kept function: ${why}\n`);
    fn.stop();
    if (readState(dir)?.pid === process.pid) {
      rmSync(daemonFile(dir), { force: true });
      rmSync(shellStateFile(dir), { force: true });
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => end('asked to'));
  process.once('SIGINT', () => end('asked to'));
  void fn.exited().then(({ code, signal }) => end(`the function exited (${signal ?? code})`));
  setInterval(
    () => {
      if (readState(dir)?.pid !== process.pid) end('replaced');
      else if (currentBuild() !== build) end('the build it runs was replaced');
      else if (Date.now() - lastUsed() > idleMs) end(`unused for ${idleMs / 1000} s`);
    },
    Math.min(CHECK_EVERY_MS, idleMs),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: function-daemon.js <state folder>');
  await runDaemon(dir);
}
