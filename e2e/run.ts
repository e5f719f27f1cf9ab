// `npm run e2e`: the package on a real control plane. Starts etcd, kube-apiserver,
// kube-controller-manager, Crossplane core with its RBAC manager, a loopback registry, the
// function and a stand-in provider, all on 127.0.0.1; installs the packages as users do;
// runs the scenarios in order; writes out/e2e.json and a timed summary; stops everything.
//
//   npm run e2e                 every scenario
//   npm run e2e -- converge     only the named scenarios (and those before them they build on)
//
// A failure leaves every component's log in out/e2e/ and names the first one to read;
// out/e2e/applied.json holds what provider-kubernetes and provider-helm would have applied.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/lib/paths.js';
import { e2eTools } from './lib/tools.js';
import { Processes } from './lib/processes.js';
import { Platform } from './platform.js';
import { SCENARIOS, type ScenarioContext } from './scenarios/index.js';

const OUT = join(ROOT, 'out');
const LOGS = join(OUT, 'e2e');
const REPORT = join(OUT, 'e2e.json');

interface ScenarioResult {
  readonly name: string;
  readonly verdict: 'passed' | 'failed' | 'not run';
  readonly seconds: number;
  readonly error?: string;
}

const say = (message: string) => process.stderr.write(`[e2e] ${message}\n`);

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) {
    say(`unknown scenario ${unknown.join(', ')}; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  // Scenarios build on each other's platform: run every one up to the last asked for.
  const last = wanted.length === 0 ? SCENARIOS.length - 1 : Math.max(...wanted.map((name) => SCENARIOS.findIndex((s) => s.name === name)));
  const scenarios = SCENARIOS.slice(0, last + 1);

  rmSync(LOGS, { recursive: true, force: true });
  mkdirSync(LOGS, { recursive: true });
  const started = Date.now();
  const tools = e2eTools();
  const results: ScenarioResult[] = [];
  let platform: Platform | undefined;
  // Created here, not in Platform.start, so that a signal during the start stops what started.
  const processes = new Processes(LOGS);
  const stopOnSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping every process`);
    void (platform?.stop() ?? processes.stopAll()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  let setupSeconds = 0;
  let failure: string | undefined;
  const context: ScenarioContext = { facts: {}, say };
  try {
    platform = await Platform.start(tools, processes, LOGS, say);
    setupSeconds = (Date.now() - started) / 1000;
    say(`stack ready in ${setupSeconds.toFixed(0)}s`);
    for (const scenario of scenarios) {
      if (failure) {
        results.push({ name: scenario.name, verdict: 'not run', seconds: 0 });
        continue;
      }
      const t0 = Date.now();
      say(`scenario ${scenario.name}: ${scenario.title}`);
      try {
        await scenario.run(platform, context);
        results.push({ name: scenario.name, verdict: 'passed', seconds: (Date.now() - t0) / 1000 });
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
        results.push({ name: scenario.name, verdict: 'failed', seconds: (Date.now() - t0) / 1000, error: failure });
      }
    }
  } catch (error) {
    failure = `the stack did not start: ${error instanceof Error ? error.message : String(error)}`;
  }

  const report = {
    scenarios: results,
    setupSeconds: Math.round(setupSeconds),
    totalSeconds: Math.round((Date.now() - started) / 1000),
    ...context.facts,
    functionCalls: platform ? await platform.functionCalls().catch(() => undefined) : undefined,
    peakMemoryMiB: platform?.processes.peaksMiB(),
    responsiveFalseSeen: platform ? platform.monitor.unresponsive.length > 0 : undefined,
    unresponsive: platform?.monitor.unresponsive.slice(0, 20),
    watchEvents: platform
      ? {
          note: "events Crossplane's circuit breaker counted (an update counts 2; dropped ones included), per XR controller: the network controller's is the example network's own",
          peakIn10s: platform.breaker.peak(10),
          peakIn60s: platform.breaker.peak(60),
          total: platform.breaker.totals(),
          crossplaneArgs: platform.crossplane.args,
        }
      : undefined,
    ...(failure && { failure, firstLogToRead: processes.firstDead()?.logFile ?? join(LOGS, 'crossplane.log') }),
  };
  const dead = processes.firstDead();
  if (platform) writeFileSync(join(LOGS, 'applied.json'), `${JSON.stringify(Object.fromEntries(platform.provider.applied), null, 2)}\n`);
  await (platform?.stop() ?? processes.stopAll());
  writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);

  process.stdout.write('\nscenario                 verdict   seconds\n');
  for (const r of results) process.stdout.write(`${r.name.padEnd(24)} ${r.verdict.padEnd(9)} ${r.seconds.toFixed(0).padStart(7)}\n`);
  process.stdout.write(`setup ${Math.round(setupSeconds)}s, total ${report.totalSeconds}s; report in ${REPORT}\n`);
  if (failure) {
    process.stdout.write(`\nFAILED: ${failure}\n`);
    process.stdout.write(`logs of every component are in ${LOGS}/; read ${dead?.logFile ?? join(LOGS, 'crossplane.log')} first\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
