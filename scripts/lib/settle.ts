import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reconcileInProcess, type Json, type Reconciled } from './in-process.js';
import { lastRound, reconcileUntilSettled, RenderFailure, RESOURCE_NAME_ANNOTATION, toRound, type Manifest, type Round } from './reconcile.js';
import type { RenderSession } from './render-engine.js';
import { toCliInput } from './yaml.js';

// An XR's tree settled in-process, reconcile after reconcile, then the last reconcile of every XR
// in it rendered once through the real Crossplane CLI: what `npm start` shows and writes is the
// CLI's. The rounds before are the function's own answers, called in-process with the same
// simulated providers (reconcile.ts) as a CLI round trip would observe. Where the CLI composes
// other resources than the in-process reconcile did, the two disagree and the run fails.

/**
 * Settles `xr` (with `required`, e.g. a cluster's network, given to the CLI as `requiredFile`) in-process
 * and renders the last reconcile of it and of each XR it composed through `session`. Where the
 * function refuses the XR in-process, the whole loop runs through the CLI, so that the refusal is
 * the CLI's own, with its round.
 */
export async function settleThenRender(
  session: RenderSession,
  xr: Manifest,
  options: { label: string; maxRounds: number; required?: Record<string, Json[]>; requiredFile?: string; onRendered?: (round: Round) => void },
): Promise<Round[]> {
  const work = mkdtempSync(join(tmpdir(), 'k8tre-settle-'));
  try {
    let reconciled: Reconciled;
    try {
      reconciled = reconcileInProcess(xr, options.required ?? {}, undefined, options.maxRounds);
    } catch {
      const file = join(work, 'xr.yaml');
      writeFileSync(file, toCliInput(xr));
      const extraArgs = options.requiredFile ? ['--required-resources', options.requiredFile] : [];
      const rounds = await reconcileUntilSettled(session, file, { maxRounds: options.maxRounds, label: options.label, extraArgs });
      options.onRendered?.(lastRound(rounds));
      return rounds;
    }
    return await asRounds(reconciled, { session, work, label: options.label, rendered: new Map(), onRendered: options.onRendered });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface Context {
  readonly session: RenderSession;
  readonly work: string;
  readonly label: string;
  /** Each settled XR's last reconcile, rendered once however often the tree holds it. */
  readonly rendered: Map<Reconciled, Promise<Round>>;
  /** Told the root XR's last round as soon as the CLI rendered it, before its children are. */
  readonly onRendered?: ((round: Round) => void) | undefined;
}

/** Every round of a settled XR: the in-process ones, then its last as the CLI rendered it. */
async function asRounds(reconciled: Reconciled, context: Context): Promise<Round[]> {
  let last = context.rendered.get(reconciled);
  if (!last) {
    last = renderLastRound(reconciled, context);
    context.rendered.set(reconciled, last);
  }
  return [...reconciled.history.slice(0, -1).map((round) => inProcessRound(round)), await last];
}

/** A round the function answered in-process: its XR with the status it wrote, and what it composed. */
function inProcessRound(round: Reconciled['history'][number]): Round {
  const desired = round.response.desired;
  const xr = { ...(round.request.observed?.composite?.resource as Manifest), status: desired?.composite?.resource?.status ?? {} } as Manifest;
  const composed = new Map(Object.entries(desired?.resources ?? {}).map(([name, r]) => [name, withResourceName(r.resource as Manifest, name)]));
  const children = new Map([...round.children].map(([key, child]) => [key, inProcessRounds(child)]));
  return { stream: '', xr, composed, children };
}

const inProcessRounds = (reconciled: Reconciled): Round[] => reconciled.history.map((round) => inProcessRound(round));

/**
 * The XR's last reconcile through the CLI: the same XR, observed and required resources as its
 * in-process request. Its children are rendered beside it: none needs another's output.
 */
async function renderLastRound(reconciled: Reconciled, context: Context): Promise<Round> {
  const round = reconciled.history.at(-1);
  if (!round) throw new Error(`${context.label}: no reconcile`);
  const { request, response } = round;
  const { label } = context;
  const xr = request.observed?.composite?.resource as Manifest;
  const dir = join(context.work, createHash('sha256').update(JSON.stringify(xr)).digest('hex').slice(0, 16));
  mkdirSync(join(dir, 'observed'), { recursive: true });
  const xrFile = join(dir, 'xr.yaml');
  writeFileSync(xrFile, toCliInput(xr));
  const args: string[] = [];
  const observed = Object.entries(request.observed?.resources ?? {});
  for (const [name, { resource }] of observed) writeFileSync(join(dir, 'observed', `${name}.yaml`), toCliInput(withResourceName(resource as Manifest, name)));
  if (observed.length > 0) args.push('--observed-resources', join(dir, 'observed'));
  const required = Object.values(request.requiredResources ?? {}).flatMap((resources) => resources.items.map((item) => item.resource));
  if (required.length > 0) {
    const file = join(dir, 'required.yaml');
    writeFileSync(file, required.map((resource) => toCliInput(resource)).join('---\n'));
    args.push('--required-resources', file);
  }
  // Queued first, so that whoever waits for this XR (a cluster for its network) is not behind its children.
  const rendering = context.session.render(xrFile, args).then((result) => {
    if (!result.ok) throw new RenderFailure(label, reconciled.history.length, result.stderr);
    const rendered = toRound(result.stdout);
    expectSameResources(label, xr, Object.keys(response.desired?.resources ?? {}), [...rendered.composed.keys()]);
    context.onRendered?.(rendered);
    return rendered;
  });
  const children = Promise.all(
    [...round.children].map(async ([key, child]) => [key, await asRounds(child, { ...context, label: `${label} → ${key}`, onRendered: undefined })] as const),
  );
  const [rendered, settledChildren] = await Promise.all([rendering, children]);
  return { ...rendered, children: new Map(settledChildren) };
}

/** The CLI must compose what the in-process reconcile did: else the plan would mix two answers. */
function expectSameResources(label: string, xr: Manifest, inProcess: readonly string[], viaCli: readonly string[]): void {
  const missing = inProcess.filter((key) => !viaCli.includes(key));
  const extra = viaCli.filter((key) => !inProcess.includes(key));
  if (missing.length + extra.length === 0) return;
  throw new Error(
    `${label} (${xr.kind} ${xr.metadata.name}): the CLI's last reconcile composed other resources than the in-process one; ` +
      `only in-process: ${missing.join(', ') || 'none'}; only through the CLI: ${extra.join(', ') || 'none'}`,
  );
}

/** A resource as Crossplane observes it: keyed to its place in the composition by the annotation. */
function withResourceName(manifest: Manifest, name: string): Manifest {
  const metadata = manifest.metadata ?? {};
  return { ...manifest, metadata: { ...metadata, annotations: { ...metadata.annotations, [RESOURCE_NAME_ANNOTATION]: name } } };
}
