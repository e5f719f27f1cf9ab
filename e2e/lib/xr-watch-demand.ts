import { CROSSPLANE_DEFAULT_BREAKER, type BreakerSettings } from '../../functions/k8tre/lib/pacing.js';
import type { KubeObject, WatchPhase } from './kube.js';

// What Crossplane's watch circuit breaker charges each XR, from the API server's own watch events
// on the XRs and everything they compose, so that a run on any breaker settings can say how large
// a bucket each XR needed. Crossplane's metrics count per controller (one per XRD), not per XR.
//
// Crossplane v2.3.4 (internal/circuit/mapfunc.go, token_bucket.go; definition/reconciler.go)
// charges an XR for events on the objects it composed and on itself: 1 token each time its map
// function is called, which is once for a create or a delete and twice for an update (with the
// old object and the new). An object being deleted (deletionTimestamp set) is let through
// uncharged, so the update that sets it costs 1 (only the old object is charged). The bucket
// holds `burst` tokens, refills at `refill` per second, and starts full, as after a restart,
// when Crossplane lists every object again: 1 token per object for its XR.

/** The settings Crossplane runs with, from its arguments (`--flag=value` or `--flag value`; its defaults where they say nothing). */
export function breakerSettings(args: readonly string[]): BreakerSettings {
  const flag = (name: string) => {
    const index = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (index === -1) return undefined;
    const arg = args[index]!;
    return Number(arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[index + 1]);
  };
  return {
    burst: flag('circuit-breaker-burst') ?? CROSSPLANE_DEFAULT_BREAKER.burst,
    refillPerSecond: flag('circuit-breaker-refill-rate') ?? CROSSPLANE_DEFAULT_BREAKER.refillPerSecond,
  };
}

export interface BucketNeed {
  /** The XR, as "<kind>/<namespace>/<name>". */
  readonly xr: string;
  /** The smallest bucket that would never have run dry at the refill rate asked for. */
  readonly tokens: number;
  /** The stretch of time that needed it (ms). */
  readonly from?: number;
  readonly to?: number;
}

/** A charge to an XR, or (`full`) the moment its bucket was full again: Crossplane restarted. */
interface Charge {
  readonly at: number;
  readonly tokens: number;
  readonly full?: true;
  /** The object whose event it was (UID), and its kind, or `self` for the XR's own. */
  readonly object?: string;
  readonly source?: string;
  /** For the XR's own updates: what changed (`status.conditions[Ready]`, `spec.crossplane.resourceRefs`, …). */
  readonly changed?: string;
  /** A write of Crossplane's stale-condition loop (see `STALE_LOOP`). */
  readonly staleLoop?: true;
}

/**
 * Crossplane v2.3.4 writes an XR's status twice a reconcile: first with the conditions it read
 * from its cache, then with the ones it worked out. A reconcile that read the XR before its
 * previous one's second write reached the cache puts the old conditions back, and its own second
 * write the new ones again, which calls the next reconcile: the conditions flip between two
 * states until a read is fresh or the circuit breaker opens (crossplane/crossplane#7062, open,
 * fix proposed in #7658; composition_functions.go, where the status is applied with the cached
 * conditions). Its signature: an XR's own write that, within a second or two, puts back the
 * conditions of two writes before. No composition can prevent it: each step's new resources move
 * the XR's generation, so its conditions change.
 */
const STALE_LOOP = { withinMs: 2000 } as const;

export class XrWatchDemand {
  private readonly charges = new Map<string, Charge[]>();
  /** Each object seen, by UID: its last resource version, whether it was being deleted, and whom its events charge. */
  private readonly objects = new Map<string, { resourceVersion?: string; deleting: boolean; xrs: string[] }>();
  /** The objects (UIDs) each XR was ever charged for, itself left out: what it composed. */
  private readonly composed = new Map<string, Set<string>>();
  /** Each XR as last seen, to say what its own updates changed. */
  private readonly lastSeen = new Map<string, KubeObject>();
  /** Each XR's conditions (without transition times) at its last two writes, and when: to tell the stale-condition loop. */
  private readonly recentConditions = new Map<string, { at: number; conditions: string }[]>();

  /** `xrApiVersion`: the XRs' (objects a managed resource owns, such as the AKS connection Secret, charge no XR). */
  constructor(private readonly xrApiVersion: string) {}

  /** Charges one watch event to the XRs it reaches: the object's own, if it is an XR, and the XR that composed it. */
  record(phase: WatchPhase, object: KubeObject, at = Date.now()): void {
    const { uid = `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, resourceVersion } = object.metadata;
    const seen = this.objects.get(uid);
    // A watch started again lists what exists: an object seen at that version is no event.
    if (phase !== 'DELETED' && seen && seen.resourceVersion === resourceVersion) return;
    const deleting = object.metadata.deletionTimestamp !== undefined;
    const tokens = deleting ? (phase === 'MODIFIED' && seen && !seen.deleting ? 1 : 0) : phase === 'MODIFIED' || (phase === 'ADDED' && seen) ? 2 : 1;
    const xrs = this.xrsCharged(object);
    if (phase === 'DELETED') this.objects.delete(uid);
    else this.objects.set(uid, { resourceVersion, deleting, xrs });
    const own = this.ownKey(object);
    const changed = own && phase === 'MODIFIED' ? changedPaths(this.lastSeen.get(uid), object) : undefined;
    const staleLoop = own !== undefined && phase !== 'DELETED' && this.revertsConditions(uid, object, at) && phase === 'MODIFIED';
    if (own) this.lastSeen.set(uid, object);
    if (phase === 'DELETED') [this.lastSeen, this.recentConditions].forEach((m) => m.delete(uid));
    if (tokens > 0)
      for (const xr of xrs)
        this.charge(xr, { at, tokens, object: uid, source: xr === own ? 'self' : object.kind, ...(changed && { changed }), ...(staleLoop && { staleLoop }) });
    for (const xr of xrs.filter((xr) => xr !== this.ownKey(object))) {
      const set = this.composed.get(xr) ?? new Set<string>();
      set.add(uid);
      this.composed.set(xr, set);
    }
  }

  /**
   * Crossplane started again: every XR's bucket is full, and its caches list every object anew,
   * charging each XR 1 token per object it is charged for.
   */
  restarted(at = Date.now()): void {
    for (const list of this.charges.values()) list.push({ at, tokens: 0, full: true });
    for (const { xrs } of this.objects.values()) for (const xr of xrs) this.charge(xr, { at, tokens: 1 });
  }

  /**
   * Per kind of XR, at the settings given: the largest bucket any XR needed, and how many needed
   * more than the burst; and the most tokens any XR needed per object it composed, with how many
   * objects an XR of that kind could compose for its need to fit the burst at that rate.
   */
  summary(settings: BreakerSettings, since = 0, include: (xr: string) => boolean = () => true, options: { withoutStaleLoop?: boolean } = {}) {
    const byKind: Record<
      string,
      { largest: number; xr: string; xrsOverBurst: number; perComposed: { tokens: number; xr: string; composed: number; burstHolds: number } }
    > = {};
    for (const need of this.needs(settings.refillPerSecond, since, options).filter((n) => include(n.xr))) {
      const kind = need.xr.split('/')[0]!;
      const composed = this.composed.get(need.xr)?.size ?? 0;
      const perComposed = need.tokens / Math.max(composed, 1);
      const entry = (byKind[kind] ??= { largest: 0, xr: '', xrsOverBurst: 0, perComposed: { tokens: 0, xr: '', composed: 0, burstHolds: 0 } });
      if (need.tokens > entry.largest) Object.assign(entry, { largest: need.tokens, xr: need.xr });
      if (need.tokens > settings.burst) entry.xrsOverBurst++;
      if (perComposed > entry.perComposed.tokens)
        entry.perComposed = { tokens: Math.round(perComposed * 10) / 10, xr: need.xr, composed, burstHolds: Math.floor(settings.burst / perComposed) };
    }
    return byKind;
  }

  /**
   * Per kind of XR, what its events cost it by where they came from: per kind of object it
   * composed, the most tokens any one object of that kind charged its XR; and under `self`, the
   * most tokens an XR's own events charged it per object it composed. The function's pacing
   * (functions/k8tre/lib/pacing.ts) assumes no more than its costs by kind: this is the check.
   */
  costBySource(since = 0, include: (xr: string) => boolean = () => true): Record<string, Record<string, { tokens: number; xr: string }>> {
    const result: Record<string, Record<string, { tokens: number; xr: string }>> = {};
    for (const [xr, list] of this.charges) {
      if (!include(xr)) continue;
      const perObject = new Map<string, { source: string; tokens: number }>();
      for (const { at, tokens, object, source } of list) {
        if (at < since || object === undefined || source === undefined) continue;
        const entry = perObject.get(object) ?? { source, tokens: 0 };
        entry.tokens += tokens;
        perObject.set(object, entry);
      }
      const composed = [...perObject.values()].filter((e) => e.source !== 'self').length;
      const bySource = (result[xr.split('/')[0]!] ??= {});
      const note = (source: string, tokens: number) => {
        if (tokens > (bySource[source]?.tokens ?? 0)) bySource[source] = { tokens: Math.round(tokens * 10) / 10, xr };
      };
      for (const { source, tokens } of perObject.values()) note(source, source === 'self' ? tokens / Math.max(composed, 1) : tokens);
    }
    return result;
  }

  /**
   * The bucket each XR needed, since `since` (ms), at `refillPerSecond`: the largest deficit over
   * any stretch of time in which the bucket was not refilled by a restart, i.e. the most its
   * charges in a stretch exceed what the refill brings meanwhile. Largest first. `withoutStaleLoop`
   * leaves out the writes of Crossplane's stale-condition loop, which no composition can prevent.
   */
  needs(refillPerSecond: number, since = 0, { withoutStaleLoop = false } = {}): BucketNeed[] {
    const needs: BucketNeed[] = [];
    for (const [xr, list] of this.charges) {
      // running = tokens charged minus tokens refilled; the need is the largest rise of `running`
      // from its lowest point before (a maximum-subarray scan). A full bucket starts afresh.
      let running = 0;
      let lowest = 0;
      let lowestAt = since;
      let need = 0;
      let window = { from: since, to: since };
      let previous: number | undefined;
      for (const { at, tokens, full, staleLoop } of list) {
        if (at < since || (withoutStaleLoop && staleLoop)) continue;
        if (previous !== undefined) running -= ((at - previous) / 1000) * refillPerSecond;
        previous = at;
        if (full || running < lowest) [lowest, lowestAt] = [running, at];
        running += tokens;
        if (running - lowest > need) [need, window] = [running - lowest, { from: lowestAt, to: at }];
      }
      // Rounded first: refills summed in floating point must not turn 5 tokens into 6.
      if (need > 0) needs.push({ xr, tokens: Math.ceil(Math.round(need * 1e6) / 1e6), ...window });
    }
    return needs.sort((a, b) => b.tokens - a.tokens);
  }

  /**
   * What an XR was charged for in a stretch of time, by where it came from, with what its own
   * updates changed: to see why it needed the bucket it did.
   */
  chargedBetween(xr: string, from: number, to: number): Record<string, number> {
    const result: Record<string, number> = {};
    for (const { at, tokens, source, changed, staleLoop } of this.charges.get(xr) ?? []) {
      if (at < from || at > to || source === undefined) continue;
      // A child XR's own writes reach its parent too: named by the child's kind, with what they changed.
      const key = `${staleLoop ? 'stale-condition loop, ' : ''}${source}${changed ? `: ${changed}` : ''}`;
      result[key] = (result[key] ?? 0) + tokens;
    }
    return result;
  }

  /**
   * What Crossplane's stale-condition loop (`STALE_LOOP`) cost each XR since `since`: the loop's
   * writes of the XR itself, and the tokens it was charged for them and for its children's.
   */
  staleLoops(since = 0, include: (xr: string) => boolean = () => true): Record<string, { writes: number; tokens: number }> {
    const result: Record<string, { writes: number; tokens: number }> = {};
    for (const [xr, list] of this.charges) {
      if (!include(xr)) continue;
      const loop = list.filter((c) => c.at >= since && c.staleLoop);
      if (loop.length > 0) result[xr] = { writes: loop.filter((c) => c.source === 'self').length, tokens: loop.reduce((sum, c) => sum + c.tokens, 0) };
    }
    return result;
  }

  /** Whether this write of an XR puts back, soon after, the conditions it had two writes before. */
  private revertsConditions(uid: string, object: KubeObject, at: number): boolean {
    const conditions = JSON.stringify([...conditionsByType(object)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const recent = this.recentConditions.get(uid) ?? [];
    const [twoBefore, before] = recent.length === 2 ? recent : [undefined, recent[0]];
    this.recentConditions.set(uid, [...(before ? [before] : []), { at, conditions }]);
    return (
      twoBefore !== undefined &&
      before !== undefined &&
      conditions === twoBefore.conditions &&
      conditions !== before.conditions &&
      at - before.at <= STALE_LOOP.withinMs
    );
  }

  /** The object's own key, if it is an XR. */
  private ownKey(object: KubeObject): string | undefined {
    return object.apiVersion === this.xrApiVersion ? `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}` : undefined;
  }

  /** The XRs an event on the object charges: the object itself if it is an XR, and its controller XR. */
  private xrsCharged(object: KubeObject): string[] {
    const namespace = object.metadata.namespace ?? '';
    const self = this.ownKey(object);
    const own = self ? [self] : [];
    const owner = object.metadata.ownerReferences?.find((o) => o.controller && o.apiVersion === this.xrApiVersion);
    return owner ? [...own, `${owner.kind}/${namespace}/${owner.name}`] : own;
  }

  private charge(xr: string, charge: Charge): void {
    const list = this.charges.get(xr) ?? [];
    list.push(charge);
    this.charges.set(xr, list);
  }
}

/** The parts of an XR an update changed: metadata fields, spec fields, status fields and conditions by type. */
function changedPaths(before: KubeObject | undefined, after: KubeObject): string {
  if (!before) return 'unknown';
  const paths: string[] = [];
  const differ = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  const { resourceVersion: _a, managedFields: _b, ...metaAfter } = after.metadata as unknown as Record<string, unknown>;
  const { resourceVersion: _c, managedFields: _d, ...metaBefore } = before.metadata as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(metaAfter), ...Object.keys(metaBefore)]))
    if (differ(metaAfter[key], metaBefore[key])) paths.push(`metadata.${key}`);
  const spec = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;
  const crossplane = (o: KubeObject) => (spec(o).crossplane ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(crossplane(after)), ...Object.keys(crossplane(before))]))
    if (differ(crossplane(after)[key], crossplane(before)[key])) paths.push(`spec.crossplane.${key}`);
  for (const key of new Set([...Object.keys(spec(after)), ...Object.keys(spec(before))]))
    if (key !== 'crossplane' && differ(spec(after)[key], spec(before)[key])) paths.push(`spec.${key}`);
  const status = (o: KubeObject) => (o.status ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(status(after)), ...Object.keys(status(before))]))
    if (key !== 'conditions' && differ(status(after)[key], status(before)[key])) paths.push(`status.${key}`);
  const [ca, cb] = [conditionsByType(after), conditionsByType(before)];
  for (const type of new Set([...ca.keys(), ...cb.keys()])) if (differ(ca.get(type), cb.get(type))) paths.push(`status.conditions[${type}]`);
  return paths.sort().join(', ') || 'nothing';
}

/** An object's conditions by type, without their transition times (which a write may move alone). */
function conditionsByType(o: KubeObject): Map<string, { type: string }> {
  const conditions = ((o.status ?? {}) as { conditions?: { type: string; lastTransitionTime?: string }[] }).conditions ?? [];
  return new Map(conditions.map(({ lastTransitionTime: _t, ...c }) => [c.type, c]));
}
