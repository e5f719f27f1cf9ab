import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { FunctionProcess } from './function-process.js';
import { apiFilesByKind, kindOf, type ApiFiles } from './package-index.js';
import { FUNCTIONS_FILE } from './paths.js';
import { crossplaneTools } from './tools.js';

export interface RenderResult {
  readonly ok: boolean;
  /** The YAML stream: the XR, then the composed resources. */
  readonly stdout: string;
  readonly stderr: string;
}

/** A function the CLI can call: one this session started, or one left running between renders (function-daemon.ts). */
export interface FunctionEndpoint {
  /** host:port for the Development runtime. */
  readonly target: string;
  output(): string;
  stop(): void;
}

/** The CLI and its arguments for rendering `xrFile`, whose kind `api` serves; `extraArgs` last. */
export function renderCommand(
  target: string,
  api: ApiFiles,
  xrFile: string,
  extraArgs: readonly string[] = [],
  overrides: { composition?: string; functionsFile?: string } = {},
) {
  const { cli, core } = crossplaneTools();
  const args = [
    'composition',
    'render',
    xrFile,
    overrides.composition ?? api.composition,
    overrides.functionsFile ?? FUNCTIONS_FILE,
    `--crossplane-binary=${core}`,
    `--xrd=${api.definition}`,
    `--function-annotations=render.crossplane.io/runtime-development-target=${target}`,
    // The whole XR, so the stream validates against the XRD like everything else in it.
    '--include-full-xr',
    ...extraArgs,
  ];
  return { cli, args, env: SHORT_LIVED_GO };
}

/**
 * `crossplane composition render` with the real CLI and the locally built core binary as the
 * engine (so no Docker), against our function running on the Development runtime. One
 * session keeps one function process for any number of renders.
 */
export class RenderSession {
  /** Renders running now, and those waiting for one to end. */
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  private constructor(
    private readonly fn: FunctionEndpoint,
    /** How many renders run at once: each is a CLI and an engine process calling the one function. */
    private readonly concurrency = Math.max(2, availableParallelism()),
  ) {}

  /** With the compiled function, unless given one already running (e.g. from an image). */
  static async start(fn?: FunctionEndpoint): Promise<RenderSession> {
    crossplaneTools();
    return new RenderSession(fn ?? (await FunctionProcess.start()));
  }

  /**
   * Renders with the package's Composition for the XR's kind, or with `overrides` (the
   * benchmark's no-op Composition and its functions file).
   */
  async render(xrFile: string, extraArgs: readonly string[] = [], overrides: { composition?: string; functionsFile?: string } = {}): Promise<RenderResult> {
    const kind = kindOf(xrFile);
    const api = apiFilesByKind().get(kind);
    if (!api) return { ok: false, stdout: '', stderr: `no Composition in package/ serves kind ${kind}` };
    const { cli, args, env } = renderCommand(this.fn.target, api, xrFile, extraArgs, overrides);
    // A render that ends hands its slot to the next waiting one.
    if (this.running < this.concurrency) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await run(cli, args, undefined, env);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** The function's own log, for explaining a failure. */
  functionLog(): string {
    return this.fn.output();
  }

  stop(): void {
    this.fn.stop();
  }
}

/**
 * A render's CLI and engine live a tenth of a second: Go's collector, run as for a server, was a
 * third of their CPU. Off, with a memory limit as the backstop that turns it on again
 * (https://go.dev/doc/gc-guide#Memory_limit). A GOGC or GOMEMLIMIT already set is kept.
 */
const SHORT_LIVED_GO: NodeJS.ProcessEnv = { GOGC: 'off', GOMEMLIMIT: '1GiB', ...pick(process.env, ['GOGC', 'GOMEMLIMIT']) };

function pick(env: NodeJS.ProcessEnv, keys: readonly string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(keys.filter((key) => env[key] !== undefined).map((key) => [key, env[key]]));
}

export function run(command: string, args: readonly string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<RenderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ok: code === 0, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
