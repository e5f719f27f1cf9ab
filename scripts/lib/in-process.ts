import { RunFunctionRequest, Severity, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../functions/k8tre/handler.js';
import { asObserved, isPackageXr, type Manifest } from './reconcile.js';
import { PAUSED } from '../../functions/k8tre/lib/adoption.js';

// The function called in-process, reconcile after reconcile as Crossplane would call it: each
// round's desired resources come back as observed and Ready (reconcile.ts's simulated
// providers). Tests use it for many quick runs; the benchmark for the requests of each stage.

export type Json = Record<string, unknown>;

/** The RunFunctionRequest Crossplane sends for an XR, its observed resources and required resources. */
export function requestFor(xr: Json, required: Record<string, Json[]> = {}, observed: Record<string, Json> = {}): RunFunctionRequest {
  const resources = Object.fromEntries(Object.entries(observed).map(([name, resource]) => [name, { resource }]));
  const requiredResources = Object.fromEntries(Object.entries(required).map(([name, items]) => [name, { items: items.map((resource) => ({ resource })) }]));
  return RunFunctionRequest.fromPartial({ observed: { composite: { resource: xr }, resources }, requiredResources });
}

/**
 * One reconcile's calls, as Crossplane makes them: when the function asks for resources it was
 * not given, Crossplane fetches them (an empty list when none match) and calls again.
 */
export function runAsCrossplane(xr: Json, required: Record<string, Json[]> = {}, observed: Record<string, Json> = {}): RunFunctionResponse {
  return callAsCrossplane(xr, required, observed).response;
}

/** The same, with the last request: the one whose answer counts. */
function callAsCrossplane(
  xr: Json,
  required: Record<string, Json[]>,
  observed: Record<string, Json>,
): { request: RunFunctionRequest; response: RunFunctionResponse } {
  let request = requestFor(xr, required, observed);
  let response = runFunction(request);
  for (let call = 0; call < 5; call++) {
    const unmet = Object.keys(response.requirements?.resources ?? {}).filter((name) => !(name in required));
    if (unmet.length === 0) break;
    required = { ...required, ...Object.fromEntries(unmet.map((name) => [name, []])) };
    request = requestFor(xr, required, observed);
    response = runFunction(request);
  }
  return { request, response };
}

export function fatalMessage(rsp: RunFunctionResponse): string | undefined {
  return rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL)?.message;
}

export interface Reconciled {
  /** The XR with the status of the last round. */
  readonly xr: Json;
  /** The last round's resources, as observed. */
  readonly observed: Record<string, Json>;
  /** The request of every round, first to last. */
  readonly requests: readonly RunFunctionRequest[];
  /** Every round: its request, the function's answer, and the children it composed, settled. */
  readonly history: readonly ReconcileRound[];
  /** Each composed XR (a spoke group, a spoke), settled the same way, by composition key. */
  readonly children: ReadonlyMap<string, Reconciled>;
}

export interface ReconcileRound {
  readonly request: RunFunctionRequest;
  readonly response: RunFunctionResponse;
  readonly children: ReadonlyMap<string, Reconciled>;
}

const simulate = (manifest: Json) => asObserved(manifest as Manifest) as Json;

/**
 * Reconciles until no new resource appears (or `maxRounds`); throws on a Fatal result. A composed
 * XR of this package is reconciled too, as Crossplane would, and observed with the status it
 * settles to; an unchanged one is not reconciled again.
 */
export function reconcileInProcess(xr: Json, required: Record<string, Json[]> = {}, observe: (m: Json) => Json = simulate, maxRounds = 12): Reconciled {
  let current = xr;
  let observed: Record<string, Json> = {};
  let children = new Map<string, Reconciled>();
  const settledChildren = new Map<string, Reconciled>();
  const history: ReconcileRound[] = [];
  const namespace = (xr.metadata as { namespace?: string } | undefined)?.namespace ?? 'default';
  for (let round = 0; round < maxRounds; round++) {
    const { request, response: rsp } = callAsCrossplane(current, required, observed);
    const message = fatalMessage(rsp);
    if (message) throw new Error(message);
    const desired = rsp.desired?.resources ?? {};
    const nextChildren = new Map<string, Reconciled>();
    const next = Object.fromEntries(
      Object.entries(desired).map(([name, r]) => {
        const manifest = r.resource as Json;
        if (!isPackageXr(manifest)) return [name, observe(manifest)];
        // Crossplane reconciles no paused XR: it is observed as composed, not Ready.
        if ((manifest.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[PAUSED]) return [name, manifest];
        const child = { ...manifest, metadata: { namespace, ...(manifest.metadata as Json) } };
        const cacheKey = JSON.stringify(child);
        const settled = settledChildren.get(cacheKey) ?? reconcileInProcess(child, {}, observe, maxRounds);
        settledChildren.set(cacheKey, settled);
        nextChildren.set(name, settled);
        return [name, { ...settled.xr, status: { ...(settled.xr.status as Json), conditions: READY } }];
      }),
    );
    history.push({ request, response: rsp, children: nextChildren });
    current = { ...current, status: (rsp.desired?.composite?.resource?.status ?? {}) as Json };
    const settled = Object.keys(next).every((name) => name in observed) && [...nextChildren].every(([name, c]) => children.get(name) === c);
    observed = next;
    children = nextChildren;
    if (settled) break;
  }
  return { xr: current, observed, requests: history.map((round) => round.request), history, children };
}

const READY = [
  { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2024-01-01T00:00:00Z' },
  { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2024-01-01T00:00:00Z' },
];

/** Every resource of a settled tree: what the XR composed (child XRs too) and what its children did, each child's under `<child key>/`. */
export function treeResources(reconciled: Reconciled, prefix = ''): Record<string, Json> {
  return Object.assign(
    Object.fromEntries(Object.entries(reconciled.observed).map(([name, manifest]) => [`${prefix}${name}`, manifest])),
    ...[...reconciled.children].map(([name, child]) => treeResources(child, `${prefix}${name}/`)),
  ) as Record<string, Json>;
}
