import type { XrCondition } from './composition.js';
import { dig, digString, type JsonObject } from './json.js';
import type { Manifest } from './manifest.js';
import type { Observed } from './observed.js';
import { definedFields } from './records.js';

// Composing in steps, so that an XR's watch events stay within Crossplane's circuit breaker.
//
// Crossplane v2.3.4 charges an XR for every watch event on what it composed and on itself: 1
// token for a create, 2 for an update, from a bucket of `--circuit-breaker-burst` tokens (100)
// refilled at `--circuit-breaker-refill-rate` per second (1); an empty bucket drops the XR's
// events and reports Responsive=False (internal/circuit/token_bucket.go, mapfunc.go). A provider
// writes a new managed resource several times whatever we do (crossplane-runtime v2.3.3
// pkg/reconciler/managed/reconciler.go), so an XR that creates more than a handful of resources
// at once empties the default bucket. Here the function composes a new resource only when the
// bucket, as estimated from what Crossplane observed, holds what the resource will cost, and
// asks Crossplane to call again when it will (the response's TTL, which Crossplane honours with
// realtime compositions: internal/controller/apiextensions/composite/reconciler.go).
//
// The estimate: the bucket starts full when the XR is created; each composed object is charged
// `atCreate` when it was created and `atReady` when it became Ready (its Ready condition's
// lastTransitionTime), and a child XR `perSecond` while it converges (its own status changes,
// which Crossplane charges its parent). An object not Ready yet holds back its `atReady`, for
// `HOLD_MS` at most. The bucket never goes below empty.

export interface BreakerSettings {
  readonly burst: number;
  readonly refillPerSecond: number;
}

/** Crossplane v2.3.4's defaults (cmd/crossplane/core/core.go). */
export const CROSSPLANE_DEFAULT_BREAKER: BreakerSettings = { burst: 100, refillPerSecond: 1 };

/** The environment variables that tell the function the breaker settings Crossplane runs with. */
export const BREAKER_ENV = { burst: 'K8TRE_CIRCUIT_BREAKER_BURST', refillPerSecond: 'K8TRE_CIRCUIT_BREAKER_REFILL_RATE' } as const;

/**
 * The settings from the environment, Crossplane's defaults where it says nothing. A raised
 * breaker (as examples/gitops/apps/crossplane.yaml ships) must be told to the function too, or
 * it composes as slowly as the default needs; a wrong value throws at start.
 */
export function breakerSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): BreakerSettings {
  const read = (key: keyof BreakerSettings): number => {
    const raw = env[BREAKER_ENV[key]];
    if (raw === undefined || raw === '') return CROSSPLANE_DEFAULT_BREAKER[key];
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`${BREAKER_ENV[key]}=${JSON.stringify(raw)}: must be a positive number, as Crossplane's flag is`);
    return value;
  };
  return { burst: read('burst'), refillPerSecond: read('refillPerSecond') };
}

/** The environment that tells the function these settings: what an install's runtime config sets. */
export function breakerEnv({ burst, refillPerSecond }: BreakerSettings): Record<string, string> {
  return { [BREAKER_ENV.burst]: String(burst), [BREAKER_ENV.refillPerSecond]: String(refillPerSecond) };
}

/** What one composed object costs its XR's bucket, in tokens. */
export interface ObjectCost {
  readonly atCreate: number;
  readonly atReady: number;
  /** While it is not Ready: a child XR's own status changes as its resources converge. */
  readonly perSecond: number;
}

/**
 * Managed resources: Crossplane's create (1), then the provider's finalizer, create pending,
 * create succeeded, and Synced with Creating (2 each); once Azure is done, its ID and Ready, and
 * the XR's own status taking the ID (2 each), and for kinds whose name Azure chooses (an
 * association, a role assignment) a write more, Upjet recording that name. Measured (e2e `costBySource`, the provider's part): 13 tokens, 15 for a subnet
 * association or a role assignment.
 */
const MANAGED: ObjectCost = { atCreate: 9, atReady: 8, perSecond: 0 };
/** Objects that report no readiness (ProviderConfig, Secret, ConfigMap, Usage): measured at up to 9. */
const PLAIN: ObjectCost = { atCreate: 9, atReady: 0, perSecond: 0 };
/**
 * A child XR of this package. Its own writes are charged to its parent too (`self` in
 * `costBySource`), and most come within seconds of its creation: Crossplane's finalizer, the
 * composition and revision references, its first resourceRefs and conditions, Responsive. Then
 * a write or two per step of its own, and its Ready. Measured on a cluster's identity group
 * (e2e `paced`): an identity XR cost its group 51 tokens, two created together about 100 within
 * a minute; a spoke costs its group about 130 over 10 minutes. So a child holds back 30 at once
 * and 10 for its Ready, and spends a token every 5 s while it converges: the default bucket
 * starts one child at a time.
 */
const CHILD_XR: ObjectCost = { atCreate: 30, atReady: 10, perSecond: 0.2 };
const PLAIN_KINDS = new Set(['ProviderConfig', 'Secret', 'ConfigMap', 'Usage', 'ClusterUsage']);

export function costOf(object: { readonly apiVersion?: unknown; readonly kind?: unknown }, packageApiVersion: string): ObjectCost {
  if (object.apiVersion === packageApiVersion) return CHILD_XR;
  return PLAIN_KINDS.has(String(object.kind)) ? PLAIN : MANAGED;
}

/**
 * What a step costs the XR itself, however many resources it composes: Crossplane records them
 * in the XR's `spec.crossplane.resourceRefs` (an update, which moves its generation), and then
 * writes its status (conditions carry the generation they saw, Responsive, what arrived). Composing
 * one resource a step spent about 9 tokens of the XR's own per resource, so steps are taken in
 * batches. A new cluster's 8 steps in its first 257 s came with 101 tokens of its own writes,
 * about 12 a step, where 6 were counted, and it needed 106 of the 100 (clean-clone CI of
 * 8f52f7f, e2e `paced`).
 */
const STEP_COST = 12;
/** A step waits until this share of the room left (the bucket less the margin and what is held back) is free, or all that is left fits. */
const STEP_SHARE = 0.75;
/**
 * Tokens kept back for what the estimate does not count: the XR's own creation, its conditions
 * and status as what it waits for arrives, Crossplane's Responsive condition. Measured on a
 * network composing in steps: up to 20 tokens within the stretch that needed the most; on a
 * cluster, whose status takes what its data stores and identities report as they come, its own
 * writes were 97 tokens in its first 217 s, and with a margin of 20 it needed 106 (clean-clone CI
 * of 357c1e1, e2e `paced`). So 30.
 */
const MARGIN_SHARE = 0.3;
/** How long Crossplane waits, at most and at least, before calling again while it paces. */
const RETRY_SECONDS = { min: 5, max: 60 };
/**
 * How long an object not Ready holds back what becoming Ready will cost, and a child XR spends
 * its tokens a second: longer than Azure takes to create anything composed here (an Application
 * Gateway, up to about 20 minutes). One not Ready for longer is stuck (an Azure error, a spoke
 * group converging for hours) and no longer stops the rest.
 */
const HOLD_MS = 30 * 60_000;

export interface ObservedObject {
  /** When it was created, in ms; unknown counts as when the XR was. */
  readonly created?: number;
  /** When it became Ready, in ms; absent while it is not. */
  readonly readySince?: number;
  /** When its Ready condition last turned other than True, in ms, while it is not Ready. */
  readonly unreadySince?: number;
  readonly cost: ObjectCost;
}

export interface PacingInput {
  readonly settings: BreakerSettings;
  readonly now: number;
  /** When the XR was created, in ms: its bucket was full then. */
  readonly xrCreated: number;
  readonly observed: readonly ObservedObject[];
  /** Resources to compose that do not exist yet, in the order they should come. */
  readonly candidates: readonly { readonly name: string; readonly cost: ObjectCost }[];
}

export interface Pacing {
  readonly admitted: readonly string[];
  readonly deferred: readonly string[];
  /** When to call again, while some are deferred. */
  readonly retryAfterSeconds?: number;
}

/**
 * The candidates that fit now, in order: a candidate that does not fit holds back every one
 * after it, since the composers list what others depend on first. Whatever the settings, the
 * first candidate is composed once the bucket is full and nothing converges, so a breaker too
 * small for one step still moves, one resource at a time.
 */
export function pace({ settings, now, xrCreated, observed, candidates }: PacingInput): Pacing {
  const { burst, refillPerSecond: refill } = settings;
  const objects = observed.map((o) => spanOf(o, xrCreated, now));
  const level = bucketLevel(settings, now, xrCreated, objects);
  const converging = objects.filter((o) => o.converging);
  const margin = burst * MARGIN_SHARE;
  const heldBack = converging.reduce((sum, o) => sum + o.cost.atReady, 0);
  let available = level - margin - heldBack;
  let rate = converging.reduce((sum, o) => sum + o.cost.perSecond, 0);
  const total = candidates.reduce((sum, c) => sum + c.cost.atCreate + c.cost.atReady, STEP_COST);
  const step = Math.min(total, STEP_SHARE * (burst - margin - heldBack));
  const admitted: string[] = [];
  const admit = ({ name, cost }: (typeof candidates)[number]) => {
    admitted.push(name);
    available -= cost.atCreate + cost.atReady;
    rate += cost.perSecond;
  };
  if (step > 0 && available >= step && rate <= refill) {
    available -= STEP_COST;
    for (const candidate of candidates) {
      if (candidate.cost.atCreate + candidate.cost.atReady > available || rate + candidate.cost.perSecond > refill) break;
      admit(candidate);
    }
  }
  if (admitted.length === 0 && converging.length === 0 && level >= burst && candidates[0]) {
    available -= STEP_COST;
    admit(candidates[0]);
  }
  const deferred = candidates.slice(admitted.length).map((c) => c.name);
  if (deferred.length === 0) return { admitted, deferred };
  // The next step can be taken once the refill, less what converging children spend, frees
  // enough; when they spend it all, or hold back all the room, once one of them is Ready, whose
  // change calls the XR anyway.
  const spare = refill - rate;
  const seconds = spare > 0 && step > 0 ? Math.ceil(Math.max(0, step - available) / spare) : RETRY_SECONDS.max;
  return { admitted, deferred, retryAfterSeconds: Math.min(RETRY_SECONDS.max, Math.max(RETRY_SECONDS.min, seconds)) };
}

/** An observed object as the estimate charges it: when, and whether it still holds back its Ready. */
interface Span {
  readonly created: number;
  readonly readyAt?: number;
  /** The stretch in which a child XR's own changes charged its parent (`perSecond`). */
  readonly spending: { readonly from: number; readonly to: number };
  readonly converging: boolean;
  readonly cost: ObjectCost;
}

/**
 * Only the last stretch of not being Ready counts, and at most `HOLD_MS` of it: an object Ready
 * again after a change spends from when it turned unready, not from its creation days ago.
 */
function spanOf(o: ObservedObject, xrCreated: number, now: number): Span {
  const created = Math.min(o.created ?? xrCreated, now);
  if (o.readySince !== undefined) {
    const readyAt = Math.min(Math.max(o.readySince, created), now);
    return { created, readyAt, spending: { from: Math.max(created, readyAt - HOLD_MS), to: readyAt }, converging: false, cost: o.cost };
  }
  const from = Math.min(Math.max(o.unreadySince ?? created, created), now);
  return { created, spending: { from, to: Math.min(now, from + HOLD_MS) }, converging: now - from < HOLD_MS, cost: o.cost };
}

/**
 * The bucket's level now, replaying what each observed object was charged and when. It never
 * goes below empty: Crossplane drops the events an empty bucket cannot pay for.
 */
function bucketLevel({ burst, refillPerSecond }: BreakerSettings, now: number, xrCreated: number, objects: readonly Span[]): number {
  const charges: { at: number; tokens: number }[] = [];
  const steps = new Set<number>();
  for (const o of objects) {
    steps.add(o.created);
    charges.push({ at: o.created, tokens: o.cost.atCreate });
    if (o.readyAt !== undefined) charges.push({ at: o.readyAt, tokens: o.cost.atReady });
  }
  // Objects created in the same second came in one step.
  for (const at of steps) charges.push({ at, tokens: STEP_COST });
  const spending = objects.filter((o) => o.cost.perSecond > 0);
  const times = [...new Set([xrCreated, now, ...charges.map((c) => c.at), ...spending.flatMap((o) => [o.spending.from, o.spending.to])])]
    .filter((t) => t >= Math.min(xrCreated, now) && t <= now)
    .sort((a, b) => a - b);
  let level = burst;
  let previous = times[0] ?? now;
  for (const t of times) {
    const seconds = (t - previous) / 1000;
    const spent = spending.filter((o) => o.spending.from <= previous && o.spending.to >= t).reduce((sum, o) => sum + o.cost.perSecond, 0);
    level = Math.max(0, Math.min(burst, level + (refillPerSecond - spent) * seconds));
    for (const c of charges) if (c.at === t) level = Math.max(0, level - c.tokens);
    previous = t;
  }
  return level;
}

/** When a Kubernetes object was created, and became Ready or last stopped being Ready, from its metadata and conditions (ms). */
export function lifetimeOf(object: JsonObject | undefined): { created?: number; readySince?: number; unreadySince?: number } {
  const created = Date.parse(digString(object, 'metadata', 'creationTimestamp') ?? '');
  const conditions = dig(object, 'status', 'conditions');
  const ready: unknown = Array.isArray(conditions) ? conditions.find((c) => dig(c, 'type') === 'Ready') : undefined;
  const since = Date.parse(digString(ready, 'lastTransitionTime') ?? '');
  const isReady = dig(ready, 'status') === 'True';
  return definedFields({
    created: Number.isFinite(created) ? created : undefined,
    readySince: Number.isFinite(since) && isReady ? since : undefined,
    unreadySince: Number.isFinite(since) && !isReady ? since : undefined,
  });
}

/** The condition in which an XR says whether it has composed everything, or is composing in steps. */
export const RESOURCES_COMPOSED = 'ResourcesComposed';

export interface PacedComposition {
  readonly resources: ReadonlyMap<string, Manifest>;
  readonly condition: XrCondition;
  readonly retryAfterSeconds?: number;
}

/**
 * The composer's resources, less the new ones that do not fit the XR's bucket yet. What exists is
 * always kept. Only on a live control plane: an XR Crossplane has stored carries its creation
 * time, while one read from a file (`crossplane render`) does not, and renders whole.
 */
export function paceNewResources(
  xr: JsonObject,
  observed: Observed,
  resources: ReadonlyMap<string, Manifest>,
  settings: BreakerSettings,
  packageApiVersion: string,
  now: number,
): PacedComposition {
  const xrCreated = lifetimeOf(xr).created;
  const candidates = [...resources].filter(([name]) => !observed.has(name)).map(([name, manifest]) => ({ name, cost: costOf(manifest, packageApiVersion) }));
  if (xrCreated === undefined || candidates.length === 0) return { resources, condition: allComposed };
  const observedObjects = observed.names().map((name) => {
    const object = observed.get(name);
    return { cost: costOf(object ?? {}, packageApiVersion), ...lifetimeOf(object) };
  });
  const { deferred, retryAfterSeconds } = pace({ settings, now, xrCreated, observed: observedObjects, candidates });
  if (deferred.length === 0) return { resources, condition: allComposed };
  const held = new Set(deferred);
  const { burst, refillPerSecond } = settings;
  return {
    resources: new Map([...resources].filter(([name]) => !held.has(name))),
    condition: {
      type: RESOURCES_COMPOSED,
      ready: false,
      reason: 'Pacing',
      // The same words at every step: each change of an XR's status costs it and its parent 2 tokens.
      message:
        `Composing new resources in steps that Crossplane's watch circuit breaker (burst ${burst}, refill ${refillPerSecond}/s) ` +
        `has room for; a raised breaker is told to the function with ${BREAKER_ENV.burst} and ${BREAKER_ENV.refillPerSecond}`,
    },
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
  };
}

const allComposed: XrCondition = { type: RESOURCES_COMPOSED, ready: true, reason: 'AllComposed' };
