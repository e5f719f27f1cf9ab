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

export interface BreakerSettings {
  readonly burst: number;
  readonly refillPerSecond: number;
}

/** Crossplane v2.3.4's defaults (cmd/crossplane/core/core.go: --circuit-breaker-burst, --circuit-breaker-refill-rate). */
export const DEFAULT_BREAKER: BreakerSettings = { burst: 100, refillPerSecond: 1 };

/** The settings Crossplane runs with, from its arguments (`--flag=value` or `--flag value`; its defaults where they say nothing). */
export function breakerSettings(args: readonly string[]): BreakerSettings {
  const flag = (name: string) => {
    const index = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (index === -1) return undefined;
    const arg = args[index]!;
    return Number(arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[index + 1]);
  };
  return {
    burst: flag('circuit-breaker-burst') ?? DEFAULT_BREAKER.burst,
    refillPerSecond: flag('circuit-breaker-refill-rate') ?? DEFAULT_BREAKER.refillPerSecond,
  };
}

export interface BucketNeed {
  /** The XR, as "<kind>/<namespace>/<name>". */
  readonly xr: string;
  /** The smallest bucket that would never have run dry at the refill rate asked for. */
  readonly tokens: number;
}

/** A charge to an XR, or (`full`) the moment its bucket was full again: Crossplane restarted. */
interface Charge {
  readonly at: number;
  readonly tokens: number;
  readonly full?: true;
}

export class XrWatchDemand {
  private readonly charges = new Map<string, Charge[]>();
  /** Each object seen, by UID: its last resource version, whether it was being deleted, and whom its events charge. */
  private readonly objects = new Map<string, { resourceVersion?: string; deleting: boolean; xrs: string[] }>();
  /** The objects (UIDs) each XR was ever charged for, itself left out: what it composed. */
  private readonly composed = new Map<string, Set<string>>();

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
    if (tokens > 0) for (const xr of xrs) this.charge(xr, { at, tokens });
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
  summary(settings: BreakerSettings, since = 0, include: (xr: string) => boolean = () => true) {
    const byKind: Record<
      string,
      { largest: number; xr: string; xrsOverBurst: number; perComposed: { tokens: number; xr: string; composed: number; burstHolds: number } }
    > = {};
    for (const need of this.needs(settings.refillPerSecond, since).filter((n) => include(n.xr))) {
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
   * The bucket each XR needed, since `since` (ms), at `refillPerSecond`: the largest deficit over
   * any stretch of time in which the bucket was not refilled by a restart, i.e. the most its
   * charges in a stretch exceed what the refill brings meanwhile. Largest first.
   */
  needs(refillPerSecond: number, since = 0): BucketNeed[] {
    const needs: BucketNeed[] = [];
    for (const [xr, list] of this.charges) {
      // running = tokens charged minus tokens refilled; the need is the largest rise of `running`
      // from its lowest point before (a maximum-subarray scan). A full bucket starts afresh.
      let running = 0;
      let lowest = 0;
      let need = 0;
      let previous: number | undefined;
      for (const { at, tokens, full } of list) {
        if (at < since) continue;
        if (previous !== undefined) running -= ((at - previous) / 1000) * refillPerSecond;
        previous = at;
        lowest = full ? running : Math.min(lowest, running);
        running += tokens;
        need = Math.max(need, running - lowest);
      }
      // Rounded first: refills summed in floating point must not turn 5 tokens into 6.
      if (need > 0) needs.push({ xr, tokens: Math.ceil(Math.round(need * 1e6) / 1e6) });
    }
    return needs.sort((a, b) => b.tokens - a.tokens);
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
