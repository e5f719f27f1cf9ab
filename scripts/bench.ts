// `npm run bench`: the function served as in production (the esbuild bundle the image runs,
// NODE_ENV=production, plaintext on loopback) measured over gRPC beside a no-op function served
// the same way, in the same run: latency p50/p99 and throughput per scenario, resident memory,
// cold start, and `crossplane composition render` of the example platform against a
// Composition whose only step is the no-op. Calls are made from Go (bench/caller), as
// Crossplane makes them. Beside each, the function's own share of the same calls, which its
// server reports in a server-timing trailer. Prints a table; writes out/bench.json.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildCaller, runCaller } from './bench/caller.js';
import { encodeRequest, FunctionClient } from './bench/grpc-client.js';
import { clusterScenarios, networkScenarios, type Scenario } from './bench/scenarios.js';
import { NODE_FLAGS, RUNTIME_ENV } from './lib/function-image.js';
import { freePort, FunctionProcess, residentMemoryMb } from './lib/function-process.js';
import { ROOT } from './lib/paths.js';
import { RenderSession } from './lib/render-engine.js';
import { lastRound, reconcileUntilSettled } from './lib/reconcile.js';
import { toKubernetesYaml } from './lib/yaml.js';
import { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../functions/k8tre/handler.js';
import { MAX_COMPOSED_PER_XR } from '../functions/k8tre/spoke/tree.js';

export interface BenchEntry {
  scenario: string;
  environments: number;
  p50_ms: number;
  p99_ms: number;
  calls_per_s: number;
  rss_mb: number;
  ratio_to_noop_p50: number;
  /** The no-op's own latency on the same request: the floor the server and protobuf set. */
  noop_p50_ms: number;
  noop_p99_ms: number;
  /** The function's own time on the same calls (decode, compose, encode), from its server-timing trailer. */
  own_p50_ms?: number;
  own_p99_ms?: number;
  /** The answer's size, against Crossplane's 4 MiB, and how many resources it composes. */
  answer_kb?: number;
  composed?: number;
}

const say = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const BUNDLE = join(ROOT, 'out', 'bench', 'function.mjs');
const NOOP = join(ROOT, 'dist', 'scripts', 'bench', 'noop-function.js');

interface Served {
  readonly child: ChildProcess;
  readonly client: FunctionClient;
  readonly target: string;
  readonly coldStartMs: number;
}

/** Starts a function as the image does and times spawn to its first answered call. */
async function serve(entry: string, probe: Scenario['request']): Promise<Served> {
  const port = await freePort();
  const target = `127.0.0.1:${port}`;
  const started = performance.now();
  // With the image's Node flags and environment, so memory is measured as the image runs.
  const child = spawn(process.execPath, [...NODE_FLAGS, entry, '--insecure', `--address=${target}`], {
    env: { ...process.env, NODE_ENV: 'production', ...RUNTIME_ENV },
    stdio: 'ignore',
  });
  const client = new FunctionClient(target);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      await client.run(probe, 1_000);
      return { child, client, target, coldStartMs: performance.now() - started };
    } catch {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Sequential calls for latency (at least 30, until `budgetMs`), then 8 in flight for throughput. */
function measure(caller: string, served: Served, scenario: Scenario, budgetMs: number) {
  const run = runCaller(caller, served.target, encodeRequest(scenario.request), { budgetMs });
  const latencies = [...run.latenciesMs].sort((a, b) => a - b);
  const own = [...run.serverMs].sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), ownP50: percentile(own, 50), ownP99: percentile(own, 99), callsPerS: run.callsPerS };
}

/**
 * The example platform rendered by the CLI, twice: with our function, and with the no-op behind
 * the same single-step Composition (the Development runtime sends the step to whichever
 * process the session started). The median of five runs of all five XRs each.
 */
async function renderComparison(): Promise<{ k8tre: number; noop: number }> {
  const work = mkdtempSync(join(tmpdir(), 'k8tre-bench-render-'));
  const networkXr = join(work, 'network.yaml');
  const k8tre = await RenderSession.start();
  const noop = await RenderSession.start(await FunctionProcess.start(['--insecure'], { program: process.execPath, args: [NOOP] }));
  try {
    writeFileSync(networkXr, toKubernetesYaml(lastRound(await reconcileUntilSettled(k8tre, 'examples/network/k8tre.yaml')).xr));
    const jobs = [
      { xr: 'examples/network/k8tre.yaml', args: [] as string[] },
      ...['mgmt', 'dev', 'stg', 'prd'].map((env) => ({ xr: `examples/cluster/${env}.yaml`, args: ['--required-resources', networkXr] })),
    ];
    const median = async (session: RenderSession) => {
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        for (const job of jobs) {
          const result = await session.render(job.xr, job.args);
          if (!result.ok) throw new Error(result.stderr);
        }
        runs.push(performance.now() - start);
      }
      return runs.sort((a, b) => a - b)[2]!;
    };
    return { k8tre: await median(k8tre), noop: await median(noop) };
  } finally {
    k8tre.stop();
    noop.stop();
  }
}

export async function bench(): Promise<{ entries: BenchEntry[]; coldStartMs: { k8tre: number; noop: number } }> {
  say('bundling the function as the image runs it');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-function.mjs'), BUNDLE], { stdio: ['ignore', 'ignore', 'inherit'] });
  say('building the Go caller');
  const caller = buildCaller();
  say('preparing requests (networks of 1 to 250 environments, with their spoke groups and spokes, at steady state; a cluster reconcile by reconcile)');
  const scenarios = [...networkScenarios(), ...clusterScenarios()];
  const probe = scenarios[0]!.request;
  const k8tre = await serve(BUNDLE, probe);
  const noop = await serve(NOOP, probe);
  const entries: BenchEntry[] = [];
  try {
    for (const scenario of scenarios) {
      say(scenario.name);
      const budget = 2_000;
      const ours = measure(caller, k8tre, scenario, budget);
      const floor = measure(caller, noop, scenario, budget / 2);
      entries.push({
        scenario: scenario.name,
        environments: scenario.environments,
        p50_ms: round(ours.p50),
        p99_ms: round(ours.p99),
        calls_per_s: round(ours.callsPerS),
        rss_mb: round(residentMemoryMb(k8tre.child.pid!)),
        ratio_to_noop_p50: round(ours.p50 / floor.p50),
        noop_p50_ms: round(floor.p50),
        noop_p99_ms: round(floor.p99),
        own_p50_ms: round(ours.ownP50),
        own_p99_ms: round(ours.ownP99),
        ...answerOf(scenario),
      });
    }
    say('timing crossplane composition render of the example platform, ours and no-op');
    const render = await renderComparison();
    entries.push({
      scenario: 'crossplane composition render, example platform (5 XRs)',
      environments: 4,
      p50_ms: round(render.k8tre),
      p99_ms: round(render.k8tre),
      calls_per_s: round(5000 / render.k8tre),
      rss_mb: round(residentMemoryMb(k8tre.child.pid!)),
      ratio_to_noop_p50: round(render.k8tre / render.noop),
      noop_p50_ms: round(render.noop),
      noop_p99_ms: round(render.noop),
    });
    return { entries, coldStartMs: { k8tre: round(k8tre.coldStartMs), noop: round(noop.coldStartMs) } };
  } finally {
    for (const served of [k8tre, noop]) {
      served.client.close();
      served.child.kill('SIGTERM');
    }
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The answer to a scenario's request, computed in-process: its size on the wire and what it composes. */
function answerOf(scenario: Scenario): { answer_kb: number; composed: number } {
  const rsp = runFunction(scenario.request);
  return { answer_kb: round(RunFunctionResponse.encode(rsp).finish().length / 1024), composed: Object.keys(rsp.desired?.resources ?? {}).length };
}

/** What issue 15 asks of the tree, from the entries: the network's own call at 250, and the largest XR. */
function treeChecks(entries: readonly BenchEntry[]): string[] {
  const network250 = entries.find((e) => e.scenario.startsWith('network, 250 envs'));
  const largest = entries.filter((e) => e.composed !== undefined).sort((a, b) => (b.composed ?? 0) - (a.composed ?? 0))[0];
  const lines: string[] = [];
  if (network250) {
    const own = network250.own_p99_ms ?? network250.p99_ms;
    lines.push(
      `network of 250 environments, its own call: p99 ${own.toFixed(1)} ms, ${(own / NETWORK_CALL_BUDGET_MS).toFixed(2)}× the ${NETWORK_CALL_BUDGET_MS} ms budget`,
    );
  }
  if (largest) {
    lines.push(
      `largest XR: ${largest.composed} composed resources (${largest.scenario}), ${((largest.composed ?? 0) / MAX_COMPOSED_PER_XR).toFixed(2)}× the bound of ${MAX_COMPOSED_PER_XR}`,
    );
  }
  return lines;
}

/** Issue 15: the network XR's own call at 250 environments. */
const NETWORK_CALL_BUDGET_MS = 100;

function printTable(entries: readonly BenchEntry[]): void {
  const header = [
    'scenario',
    'envs',
    'p50 ms',
    'p99 ms',
    'calls/s',
    'RSS MB',
    'p50 / no-op',
    'no-op p50',
    'no-op p99',
    'own p50',
    'own p99',
    'answer KB',
    'composed',
  ];
  const optional = (ms: number | undefined) => (ms === undefined ? '-' : ms.toFixed(2));
  const rows = entries.map((e) => [
    e.scenario,
    String(e.environments),
    e.p50_ms.toFixed(2),
    e.p99_ms.toFixed(2),
    e.calls_per_s.toFixed(0),
    e.rss_mb.toFixed(0),
    `${e.ratio_to_noop_p50.toFixed(1)}×`,
    e.noop_p50_ms.toFixed(2),
    e.noop_p99_ms.toFixed(2),
    optional(e.own_p50_ms),
    optional(e.own_p99_ms),
    e.answer_kb === undefined ? '-' : e.answer_kb.toFixed(0),
    e.composed === undefined ? '-' : String(e.composed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows])
    process.stdout.write(`${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await bench();
  printTable(result.entries);
  process.stdout.write(`cold start to the first answered call: ${result.coldStartMs.k8tre.toFixed(0)} ms (no-op ${result.coldStartMs.noop.toFixed(0)} ms)\n`);
  process.stdout.write("own p50/p99: the function's own time on the same calls (decode, compose, encode), from its server-timing trailer\n");
  for (const line of treeChecks(result.entries)) process.stdout.write(`${line}\n`);
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  writeFileSync(join(ROOT, 'out', 'bench.json'), `${JSON.stringify(result.entries, null, 2)}\n`);
  process.stdout.write('wrote out/bench.json\n');
}
