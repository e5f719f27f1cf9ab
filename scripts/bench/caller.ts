import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/paths.js';

// The benchmark's caller (caller/main.go): RunFunction timed from Go, as Crossplane calls it.
// Built from the Go module proxy on first use, like the Crossplane binaries (scripts/tools.sh).

const SOURCE = join(ROOT, 'scripts', 'bench', 'caller');
const BINARY = join(ROOT, '.tools', 'bin', 'bench-caller');

export interface CallerRun {
  /** Sequential calls' latencies in ms, in call order. */
  readonly latenciesMs: readonly number[];
  /** The function's own time in ms for each of those calls, from its server-timing trailer. */
  readonly serverMs: readonly number[];
  /** How many calls the throughput figure took, and per second; 0 and undefined with none in flight. */
  readonly throughputCalls: number;
  readonly callsPerS: number | undefined;
  /** With `rssOfPid`: that process's resident memory in MB, every 10 ms while the sequential calls ran. */
  readonly rssMb: readonly number[];
}

export interface CallerOptions {
  readonly minSamples?: number;
  readonly maxSamples?: number;
  readonly budgetMs?: number;
  readonly warmupCalls?: number;
  readonly warmupMs?: number;
  /** Accept a function that sends no server-timing trailer (the Go SDK no-op); its own time is then 0. */
  readonly serverTimingOptional?: boolean;
  /** A process (the function's) whose resident memory is sampled while calls are timed. */
  readonly rssOfPid?: number;
  /** Calls in flight for the throughput figure, after the sequential ones (8 unless said); 0 for none. */
  readonly inFlight?: number;
  /** How many calls the throughput figure takes (unless said, half the sequential calls timed), bounded to 16-400. */
  readonly throughputCalls?: number;
}

/** Builds a Go program of the bench's from the module proxy into `binary` (a no-op when Go's build cache has it). */
export function goBuild(source: string, binary: string): string {
  execFileSync('go', ['build', '-trimpath', '-o', binary, '.'], {
    cwd: source,
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return binary;
}

/** Builds the caller and returns its path. */
export function buildCaller(): string {
  return goBuild(SOURCE, BINARY);
}

/** Times calls of one encoded request against a plaintext function at `target`. */
export function runCaller(caller: string, target: string, request: Uint8Array, options: CallerOptions = {}): CallerRun {
  const dir = mkdtempSync(join(tmpdir(), 'k8tre-bench-'));
  const requestFile = join(dir, 'request.bin');
  try {
    writeFileSync(requestFile, request);
    const flags = [
      ['-min-samples', options.minSamples ?? 30],
      ['-max-samples', options.maxSamples ?? 2000],
      ['-budget', `${options.budgetMs ?? 2000}ms`],
      ['-warmup-calls', options.warmupCalls ?? 50],
      ['-warmup', `${options.warmupMs ?? 500}ms`],
      ['-in-flight', options.inFlight ?? 8],
    ].map(([flag, value]) => `${flag}=${value}`);
    if (options.serverTimingOptional) flags.push('-server-timing-optional');
    if (options.rssOfPid !== undefined) flags.push(`-rss-of=${options.rssOfPid}`);
    if (options.throughputCalls !== undefined) flags.push(`-throughput-calls=${options.throughputCalls}`);
    const out = execFileSync(caller, ['-target', target, '-request', requestFile, ...flags], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const parsed = JSON.parse(out) as { latencies_ms: number[]; server_ms: number[]; throughput_calls: number; throughput_seconds: number; rss_mb?: number[] };
    return {
      latenciesMs: parsed.latencies_ms,
      serverMs: parsed.server_ms,
      throughputCalls: parsed.throughput_calls,
      callsPerS: parsed.throughput_calls > 0 ? parsed.throughput_calls / parsed.throughput_seconds : undefined,
      rssMb: parsed.rss_mb ?? [],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
