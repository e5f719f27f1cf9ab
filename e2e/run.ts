// `npm run e2e`: the package on a real control plane. Each suite starts etcd, kube-apiserver,
// kube-controller-manager, Crossplane core with its RBAC manager, a loopback registry, the
// function and a stand-in provider, all on 127.0.0.1, and stops them at its end: `crossplane`
// installs the packages and applies XRs as kubectl does; `argocd` starts ArgoCD too and
// installs everything from a git repository, as the README's walkthrough does. Writes
// out/e2e.json and a timed summary.
//
//   npm run e2e                      every scenario of every suite
//   npm run e2e -- converge          only the named scenarios (and those before them they build on)
//
// A failure leaves every component's log in out/e2e/<suite>/ and names the first one to read;
// out/e2e/<suite>/applied.json holds what provider-kubernetes and provider-helm would have applied.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/lib/paths.js';
import { e2eTools, type E2eTools } from './lib/tools.js';
import { CROSSPLANE_DEFAULT_BREAKER } from '../functions/k8tre/lib/pacing.js';
import { breakerSettings } from './lib/xr-watch-demand.js';
import { Processes } from './lib/processes.js';
import { Platform } from './platform.js';
import { SUITES, type Scenario, type ScenarioContext, type Suite } from './scenarios/index.js';

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

interface SuiteReport {
  readonly suite: string;
  readonly scenarios: ScenarioResult[];
  readonly setupSeconds: number;
  readonly failure?: string;
  readonly firstLogToRead?: string;
  readonly [fact: string]: unknown;
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const all = SUITES.flatMap((suite) => suite.scenarios.map((s) => s.name));
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    say(
      `unknown scenario ${unknown.join(', ')}; scenarios: ${SUITES.map((suite) => `${suite.name}: ${suite.scenarios.map((s) => s.name).join(', ')}`).join('; ')}`,
    );
    return 2;
  }
  rmSync(LOGS, { recursive: true, force: true });
  mkdirSync(LOGS, { recursive: true });
  const started = Date.now();
  const tools = e2eTools();
  const reports: SuiteReport[] = [];
  for (const suite of SUITES) {
    // Scenarios build on each other's platform: run every one up to the last asked for.
    const asked = suite.scenarios.map((s, i) => (wanted.includes(s.name) ? i : -1)).filter((i) => i >= 0);
    if (wanted.length > 0 && asked.length === 0) continue;
    const last = asked.length === 0 ? suite.scenarios.length - 1 : Math.max(...asked);
    reports.push(await runSuite(suite, suite.scenarios.slice(0, last + 1), tools));
    // A signal's handler stops everything and exits with the signal's code.
    if (stopping) return new Promise<number>(() => undefined);
  }
  const totalSeconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(REPORT, `${JSON.stringify({ isolatedNetwork: process.env.K8TRE_E2E_ISOLATED === '1', totalSeconds, suites: reports }, null, 2)}\n`);

  process.stdout.write('\nsuite       scenario                 verdict   seconds\n');
  for (const report of reports) {
    for (const r of report.scenarios)
      process.stdout.write(`${report.suite.padEnd(11)} ${r.name.padEnd(24)} ${r.verdict.padEnd(9)} ${r.seconds.toFixed(0).padStart(7)}\n`);
    process.stdout.write(`${report.suite.padEnd(11)} (setup ${report.setupSeconds}s)\n`);
  }
  process.stdout.write(`total ${totalSeconds}s; report in ${REPORT}\n`);
  const failed = reports.filter((r) => r.failure);
  for (const report of failed) {
    process.stdout.write(`\nFAILED (${report.suite}): ${report.failure}\n`);
    process.stdout.write(`logs of every component are in ${join(LOGS, report.suite)}/; read ${report.firstLogToRead} first\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

let stopping = false;

/** One suite on a platform of its own, started from nothing and stopped at the end. */
async function runSuite(suite: Suite, scenarios: readonly Scenario[], tools: E2eTools): Promise<SuiteReport> {
  const logs = join(LOGS, suite.name);
  mkdirSync(logs, { recursive: true });
  const started = Date.now();
  const results: ScenarioResult[] = [];
  let platform: Platform | undefined;
  // Created here, not in Platform.start, so that a signal during the start stops what started.
  const processes = new Processes(logs);
  const stopOnSignal = (signal: NodeJS.Signals) => {
    stopping = true;
    say(`${signal}: stopping every process`);
    void (platform?.stop() ?? processes.stopAll()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  let setupSeconds = 0;
  let failure: string | undefined;
  const context: ScenarioContext = { facts: {}, say };
  say(`suite ${suite.name}: ${suite.title}`);
  try {
    platform = await Platform.start(tools, processes, logs, say, suite.install);
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

  const report: SuiteReport = {
    suite: suite.name,
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
    bucketNeeded: platform
      ? {
          note: "per kind of XR, the smallest circuit-breaker bucket any XR's watch events needed at a refill rate, and how many XRs needed more than the burst: at Crossplane's defaults, and at this run's settings",
          crossplaneDefaults: platform.watchDemand.summary(CROSSPLANE_DEFAULT_BREAKER),
          thisRun: { ...breakerSettings(platform.crossplane.args), ...platform.watchDemand.summary(breakerSettings(platform.crossplane.args)) },
          costBySource: platform.watchDemand.costBySource(),
        }
      : undefined,
    ...(failure && { failure, firstLogToRead: processes.firstDead()?.logFile ?? join(logs, 'crossplane.log') }),
  };
  if (platform) writeFileSync(join(logs, 'applied.json'), `${JSON.stringify(Object.fromEntries(platform.provider.applied), null, 2)}\n`);
  await (platform?.stop() ?? processes.stopAll());
  process.removeListener('SIGINT', stopOnSignal);
  process.removeListener('SIGTERM', stopOnSignal);
  return report;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
