// `npm run bench`: the function served as in production (the esbuild bundle the image runs,
// NODE_ENV=production, plaintext on loopback) measured over gRPC beside two floors in the same
// run: a no-op function served the same way, and a no-op on Crossplane's Go SDK
// (bench/go-noop). Per scenario: latency p50/p99 and throughput, resident memory and cold start
// against the Node no-op's. Then `crossplane composition render` of the example platform against
// a Composition whose only step is the no-op, the developer loop (`npm run render` warm against
// a bare CLI render) and `npm start` warm. Calls are made from Go (bench/caller), as Crossplane
// makes them. Beside each, the function's own share of the same calls, which its server reports
// in a server-timing trailer. Prints a table and the targets; writes out/bench.json.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildCaller, runCaller, type CallerRun } from './bench/caller.js';
import { buildGoNoop } from './bench/go-noop.js';
import { encodeRequest, FunctionClient } from './bench/grpc-client.js';
import { clusterScenarios, networkScenarios, type Scenario } from './bench/scenarios.js';
import { NODE_FLAGS, RUNTIME_ENV } from './lib/function-image.js';
import { accepts, freePort, FunctionProcess, residentMemoryMb } from './lib/function-process.js';
import { ROOT } from './lib/paths.js';
import { apiFilesByKind, kindOf } from './lib/package-index.js';
import { RenderSession, renderCommand } from './lib/render-engine.js';
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
  /** Resident memory while the scenario's calls were timed: the median of readings every 10 ms. */
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
  /** A no-op on Crossplane's Go SDK, on the same requests from the same caller: the second floor. */
  go_noop_p50_ms?: number;
  /** Resident memory while serving the scenario, over the Node no-op's while it served the same calls (medians of both). */
  rss_ratio_to_noop?: number;
  /** Spawn to the first answered call, ours and the Node no-op's. */
  cold_start_ms?: number;
  noop_cold_start_ms?: number;
  /** `npm run render` of one XR, warm, over a bare CLI render of it with an already-running function. */
  ratio_to_cli?: number;
  /** `npm start` of the example platform, warm. */
  seconds?: number;
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

/** How to start a function for the bench. */
interface Command {
  readonly program: string;
  readonly args: readonly string[];
}

/** A Node entry point with the image's Node flags, so memory is measured as the image runs. */
const nodeEntry = (entry: string): Command => ({ program: process.execPath, args: [...NODE_FLAGS, entry] });

/**
 * Starts a function as the image does and times spawn to its first answered call. The port is
 * polled with plain TCP connections, every 2 ms: a gRPC client that finds nothing listening backs
 * off for a second before it tries again, which would be timed instead of the start.
 */
async function serve(command: Command, probe: Scenario['request']): Promise<Served> {
  const port = await freePort();
  const target = `127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(command.program, [...command.args, '--insecure', `--address=${target}`], {
    env: { ...process.env, NODE_ENV: 'production', ...RUNTIME_ENV },
    stdio: 'ignore',
  });
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`${command.program} ${command.args.join(' ')} exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const client = new FunctionClient(target);
  await client.run(probe, 10_000);
  return { child, client, target, coldStartMs: performance.now() - started };
}

/** The median cold start of each command, started in turns so that the machine's moods fall on all alike. */
async function coldStarts(commands: readonly Command[], probe: Scenario['request'], rounds = 5): Promise<number[]> {
  const times = commands.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, command] of commands.entries()) {
      const served = await serve(command, probe);
      times[i]!.push(served.coldStartMs);
      served.client.close();
      served.child.kill('SIGTERM');
      await new Promise((resolve) => served.child.once('exit', resolve));
    }
  }
  return times.map(median);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * How long every server is called with the first request before anything is timed. V8 is still
 * optimizing the function seconds after it starts: served a 1-environment network from a fresh
 * start, its own time per call fell from 0.91 to 0.84, 0.79 and 0.78 ms over four rounds of
 * 1.5 s, where the Go no-op's latency moved by 7%; the first scenario then measured that warming
 * rather than the steady state it is named for. Every later scenario finds the function warm.
 */
const SETTLE_MS = 3_000;

/** A server measured on a scenario: its budget of sequential calls, and whether it must report its own time. */
interface Contender {
  readonly served: Served;
  readonly budgetMs: number;
  /** The Go no-op sends no server-timing trailer. */
  readonly serverTimingOptional?: boolean;
}

interface Measured {
  readonly p50: number;
  readonly p99: number;
  readonly ownP50: number;
  readonly ownP99: number;
  /** Only for the first contender, ours: the no-ops' throughput is not reported. */
  readonly callsPerS: number | undefined;
  readonly rssMb: number;
}

/**
 * How many turns each server takes on a scenario. One after another, a stretch where the machine
 * was busy fell on one server alone: a server measured for a second or two, then the next,
 * put the ratio between them anywhere from 0.92 to 1.20 at 250 environments over four runs of the
 * same code. Taken in turns, forwards then backwards, each server is measured as often early as
 * late and the moods fall on all alike.
 */
const TURNS = 4;
/**
 * How long each later turn is warmed before it is timed: its server has mostly sat idle while the
 * others took theirs. With five calls only, the function's own p99 at 3 environments came to 5.32
 * ms (young generation 2 × 16 MB), 4.89 and 7.66 (2 × 12) in three runs; warmed for 200 ms, 2.44
 * (2 × 16) and 5.89 (2 × 12).
 */
const TURN_WARMUP_MS = 200;

/**
 * Every server's calls on one request, in `TURNS` turns, latencies and memory readings pooled:
 * sequential calls for latency (at least 30 in all, each server for its budget), then, for the
 * first contender in its last turn, 8 in flight for throughput (half as many calls as it made in
 * sequence, which the caller bounds as when it was measured in one stretch). The first turn warms each server
 * on the request as the bench did before it took turns (50 calls and half a second); each later
 * one for TURN_WARMUP_MS. The server's resident memory is read every 10 ms while its sequential
 * calls are timed and the median kept: one reading afterwards is one point on the sawtooth garbage
 * collection draws, and the ratio of two such readings, ours over the no-op's at 1 and 3
 * environments, moved between 1.01 and 1.35 from one fresh pair of processes to the next with
 * nothing changed.
 */
function measureInTurns(caller: string, request: Uint8Array, contenders: readonly Contender[]): Measured[] {
  const runs = contenders.map((): CallerRun[] => []);
  for (let turn = 0; turn < TURNS; turn++) {
    const order = contenders.map((_, i) => i);
    if (turn % 2 === 1) order.reverse();
    for (const i of order) {
      const { served, budgetMs, serverTimingOptional = false } = contenders[i]!;
      const throughput = turn === TURNS - 1 && i === 0;
      // Half of all its sequential calls, this turn's counted as the average of the others'.
      const timedSoFar = runs[i]!.reduce((calls, run) => calls + run.latenciesMs.length, 0);
      const run = runCaller(caller, served.target, request, {
        budgetMs: budgetMs / TURNS,
        minSamples: Math.ceil(30 / TURNS),
        ...(turn > 0 && { warmupCalls: 5, warmupMs: TURN_WARMUP_MS }),
        inFlight: throughput ? 8 : 0,
        ...(throughput && { throughputCalls: Math.round((timedSoFar * TURNS) / (TURNS - 1) / 2) }),
        serverTimingOptional,
        rssOfPid: served.child.pid,
      });
      // The caller reads at least once when given a process; none means it did not, and the ratio would be NaN.
      if (run.rssMb.length === 0) throw new Error(`no resident-memory readings of ${served.target}`);
      runs[i]!.push(run);
    }
  }
  return runs.map((served) => {
    const latencies = served.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
    const own = served.flatMap((run) => run.serverMs).sort((a, b) => a - b);
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      ownP50: percentile(own, 50),
      ownP99: percentile(own, 99),
      callsPerS: served.at(-1)?.callsPerS,
      rssMb: median(served.flatMap((run) => run.rssMb)),
    };
  });
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
  say('building the Go caller and the Go no-op function');
  const caller = buildCaller();
  const goNoopBinary = buildGoNoop();
  say('preparing requests (networks of 1 to 250 environments, with their spoke groups and spokes, at steady state; a cluster reconcile by reconcile)');
  // Each request encoded, and its answer computed, once and before any timing: work of the
  // bench's own between timings (a 250-environment request through the SDK's generated codec,
  // an object for every Struct, Value and map entry) left its collector running beside the
  // function timed next.
  const scenarios = [...networkScenarios(), ...clusterScenarios()].map((scenario) => ({
    scenario,
    request: encodeRequest(scenario.request),
    answer: answerOf(scenario),
  }));
  const probe = scenarios[0]!.scenario.request;
  // And that garbage collected now (npm run bench passes --expose-gc), not beside the cold starts.
  (globalThis as { gc?: () => void }).gc?.();
  say('timing cold starts, five of each, taking turns');
  const coldStart = await coldStarts([nodeEntry(BUNDLE), nodeEntry(NOOP)], probe);
  const k8tre = { ...(await serve(nodeEntry(BUNDLE), probe)), coldStartMs: coldStart[0]! };
  const noop = { ...(await serve(nodeEntry(NOOP), probe)), coldStartMs: coldStart[1]! };
  const goNoop = await serve({ program: goNoopBinary, args: [] }, probe);
  const entries: BenchEntry[] = [];
  try {
    say(`warming every server on the first request for ${SETTLE_MS / 1000} s, untimed`);
    for (const served of [k8tre, noop, goNoop])
      runCaller(caller, served.target, scenarios[0]!.request, { budgetMs: 500, warmupMs: SETTLE_MS, serverTimingOptional: true });
    for (const { scenario, request, answer } of scenarios) {
      say(scenario.name);
      const network = scenario.name.startsWith('network');
      const [ours, floor, goFloor] = measureInTurns(caller, request, [
        { served: k8tre, budgetMs: 2_000 },
        { served: noop, budgetMs: 1_000 },
        ...(network ? [{ served: goNoop, budgetMs: 1_000, serverTimingOptional: true }] : []),
      ]);
      if (!ours?.callsPerS || !floor) throw new Error(`${scenario.name}: not measured`);
      entries.push({
        scenario: scenario.name,
        environments: scenario.environments,
        p50_ms: round(ours.p50),
        p99_ms: round(ours.p99),
        calls_per_s: round(ours.callsPerS),
        rss_mb: round(ours.rssMb),
        ratio_to_noop_p50: round(ours.p50 / floor.p50),
        noop_p50_ms: round(floor.p50),
        noop_p99_ms: round(floor.p99),
        own_p50_ms: round(ours.ownP50),
        own_p99_ms: round(ours.ownP99),
        ...answer,
        ...(goFloor && {
          go_noop_p50_ms: round(goFloor.p50),
          rss_ratio_to_noop: round(ours.rssMb / floor.rssMb),
          cold_start_ms: round(k8tre.coldStartMs),
          noop_cold_start_ms: round(noop.coldStartMs),
        }),
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
    say('timing the developer loop: npm run render warm, against a bare CLI render');
    entries.push(await renderLoop());
    say('timing npm start warm');
    entries.push(npmStart());
    return { entries, coldStartMs: { k8tre: round(k8tre.coldStartMs), noop: round(noop.coldStartMs) } };
  } finally {
    for (const served of [k8tre, noop, goNoop]) {
      served.client.close();
      served.child.kill('SIGTERM');
    }
  }
}

const LOOP_XR = 'examples/network/k8tre.yaml';
const median = (runs: readonly number[]) => [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;

/** Wall time of a command, in ms, failing the bench (with the command's stderr) if it fails. */
function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = performance.now();
  execFileSync(command, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - start;
}

/**
 * What a person waits for: `npm run render -- <XR>` as typed, warm (built, tools present, its
 * function kept from the first call), against `crossplane composition render` of the same XR, as
 * typed with the CLI's own settings, by a function already running. The two take turns, nine
 * times, and the ratio is the median of each turn's: a stretch where the machine is busy then
 * falls on both alike, where five of one then five of the other put it all on one side.
 */
async function renderLoop(): Promise<BenchEntry> {
  // Its own kept function, stopped at the end: a person's, in .cache/render, is left alone.
  const env = { ...process.env, K8TRE_RENDER_STATE_DIR: mkdtempSync(join(tmpdir(), 'k8tre-bench-render-')) };
  const fn = await FunctionProcess.start();
  try {
    const api = apiFilesByKind().get(kindOf(LOOP_XR))!;
    const { cli, args } = renderCommand(fn.target, api, LOOP_XR);
    const loopOnce = () => timed('npm', ['run', '-s', 'render', '--', LOOP_XR], env);
    const bareOnce = () => timed(cli, args);
    loopOnce();
    bareOnce();
    const turns = Array.from({ length: 9 }, () => ({ loop: loopOnce(), bare: bareOnce() }));
    const ratio = round(median(turns.map((t) => t.loop / t.bare)));
    return {
      ...wholeCommand('render loop: npm run render, warm, over a bare CLI render', 3, median(turns.map((t) => t.loop)), median(turns.map((t) => t.bare))),
      ratio_to_noop_p50: ratio,
      ratio_to_cli: ratio,
    };
  } finally {
    fn.stop();
    timed('npm', ['run', '-s', 'render', '--', '--stop'], env);
  }
}

/** A whole command's entry: one wall time, against a floor's where it has one. */
function wholeCommand(scenario: string, environments: number, ms: number, floorMs?: number): BenchEntry {
  return {
    scenario,
    environments,
    p50_ms: round(ms),
    p99_ms: round(ms),
    calls_per_s: round(1000 / ms),
    rss_mb: 0,
    ratio_to_noop_p50: floorMs ? round(ms / floorMs) : 0,
    noop_p50_ms: round(floorMs ?? 0),
    noop_p99_ms: round(floorMs ?? 0),
  };
}

/** `npm start` of the example platform, warm: the median of three. */
function npmStart(): BenchEntry {
  timed('npm', ['start', '-s']);
  const ms = median(Array.from({ length: 3 }, () => timed('npm', ['start', '-s'])));
  return {
    ...wholeCommand('npm start, example platform, warm', 4, ms),
    seconds: round(ms / 1000),
  };
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

/** The developer-loop and lean-function targets (issue 17), each as a ratio against its floor or bound. */
export const TARGETS = {
  /** Our p50 over the Go SDK no-op's, at every network size. */
  goNoopP50: 1,
  /** Resident memory over the Node no-op's, at the sizes issue 17 sets it for. */
  rssRatio: 1.2,
  rssAtEnvironments: [3, 100],
  /** Cold start over the Node no-op's. */
  coldStartRatio: 1.1,
  /** Warm `npm run render` over a bare CLI render. */
  renderLoop: 2,
  /** Warm `npm start`, in seconds. */
  npmStartSeconds: 5,
  /** The function's own time for a 3-environment network, p99, in ms. */
  ownP99At3: 5,
} as const;

function targetChecks(entries: readonly BenchEntry[]): string[] {
  const line = (what: string, value: number, target: number, unit = '×') =>
    `${value <= target ? 'meets' : 'MISSES'}  ${what}: ${value.toFixed(2)}${unit} (target ≤ ${target}${unit})`;
  const networks = entries.filter((e) => e.go_noop_p50_ms !== undefined);
  const lines = networks.map((e) => line(`${e.scenario}: p50 over the Go no-op's`, e.p50_ms / (e.go_noop_p50_ms ?? 1), TARGETS.goNoopP50));
  const worstRss = (sized: readonly BenchEntry[]) => Math.max(...sized.map((e) => e.rss_ratio_to_noop ?? 0));
  const rssJudged = networks.filter((e) => (TARGETS.rssAtEnvironments as readonly number[]).includes(e.environments));
  if (rssJudged.length > 0)
    lines.push(
      line(`resident memory over the Node no-op, worst at ${TARGETS.rssAtEnvironments.join(' and ')} environments`, worstRss(rssJudged), TARGETS.rssRatio),
    );
  // Every size, said beside it and not judged: at 250 environments the ratio moves between runs of
  // the same code by more than the target's margin (README, "Not covered yet").
  if (networks.length > 0) lines.push(`        resident memory over the Node no-op, worst network scenario: ${worstRss(networks).toFixed(2)}× (not a target)`);
  const cold = networks[0];
  if (cold?.cold_start_ms && cold.noop_cold_start_ms)
    lines.push(line('cold start over the Node no-op', cold.cold_start_ms / cold.noop_cold_start_ms, TARGETS.coldStartRatio));
  const three = networks.find((e) => e.environments === 3);
  if (three?.own_p99_ms !== undefined) lines.push(line('3 environments, own p99', three.own_p99_ms, TARGETS.ownP99At3, ' ms'));
  const loop = entries.find((e) => e.ratio_to_cli !== undefined);
  if (loop?.ratio_to_cli !== undefined) lines.push(line('npm run render (warm) over a bare CLI render', loop.ratio_to_cli, TARGETS.renderLoop));
  const start = entries.find((e) => e.seconds !== undefined);
  if (start?.seconds !== undefined) lines.push(line('npm start (warm)', start.seconds, TARGETS.npmStartSeconds, ' s'));
  return lines;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await bench();
  printTable(result.entries);
  for (const line of targetChecks(result.entries)) process.stdout.write(`${line}\n`);
  process.stdout.write(`cold start to the first answered call: ${result.coldStartMs.k8tre.toFixed(0)} ms (no-op ${result.coldStartMs.noop.toFixed(0)} ms)\n`);
  process.stdout.write("own p50/p99: the function's own time on the same calls (decode, compose, encode), from its server-timing trailer\n");
  for (const line of treeChecks(result.entries)) process.stdout.write(`${line}\n`);
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  writeFileSync(join(ROOT, 'out', 'bench.json'), `${JSON.stringify(result.entries, null, 2)}\n`);
  process.stdout.write('wrote out/bench.json\n');
}
