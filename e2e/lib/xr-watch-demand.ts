import type { KubeObject, WatchPhase } from './kube.js';

// What Crossplane's watch circuit breaker charges each XR, from the API server's own watch events
// on everything XRs compose, so that a run on any breaker settings can say how large a bucket
// each XR needed. Crossplane's metrics count per controller (one per XRD), not per XR.
//
// Crossplane v2.3.4 (internal/circuit/mapfunc.go, token_bucket.go) charges the XR that composed an
// object 1 token per event its map function sees: a create calls it once, an update twice (with
// the old object and the new), a delete once; an object being deleted (deletionTimestamp set) is
// let through uncharged. The bucket holds `burst` tokens and refills at `refill` per second.

/** Crossplane v2.3.4's defaults (cmd/crossplane/core/core.go: --circuit-breaker-burst, --circuit-breaker-refill-rate). */
export const DEFAULT_BREAKER: BreakerSettings = { burst: 100, refillPerSecond: 1 };

export interface BreakerSettings {
  readonly burst: number;
  readonly refillPerSecond: number;
}

/** The settings Crossplane runs with, from its arguments (its defaults where they say nothing). */
export function breakerSettings(args: readonly string[]): BreakerSettings {
  const flag = (name: string) => {
    const value = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    return value === undefined ? undefined : Number(value);
  };
  return {
    burst: flag('circuit-breaker-burst') ?? DEFAULT_BREAKER.burst,
    refillPerSecond: flag('circuit-breaker-refill-rate') ?? DEFAULT_BREAKER.refillPerSecond,
  };
}

/** Tokens an event costs the XR that composed the object. */
function cost(phase: WatchPhase, object: KubeObject): number {
  if (object.metadata.deletionTimestamp) return 0;
  return phase === 'MODIFIED' ? 2 : 1;
}

/** The XR that composed an object, its controller owner of the XRs' API version, as "<kind>/<namespace>/<name>". */
function composerKey(object: KubeObject, xrApiVersion: string): string | undefined {
  const owner = object.metadata.ownerReferences?.find((o) => o.controller && o.apiVersion === xrApiVersion);
  return owner ? `${owner.kind}/${object.metadata.namespace ?? ''}/${owner.name}` : undefined;
}

export interface BucketNeed {
  /** The XR, as "<kind>/<namespace>/<name>". */
  readonly xr: string;
  /** The smallest bucket that would never have run dry at the refill rate asked for. */
  readonly tokens: number;
}

export class XrWatchDemand {
  /** Per XR: when each charge came, in ms, and what it cost. */
  private readonly charges = new Map<string, { at: number; tokens: number }[]>();

  /** `xrApiVersion`: the XRs' (a provider's objects, such as a cluster's connection Secret, are owned by a managed resource). */
  constructor(private readonly xrApiVersion: string) {}

  /** Charges one watch event to the XR that composed the object, if any did. */
  record(phase: WatchPhase, object: KubeObject, at = Date.now()): void {
    const xr = composerKey(object, this.xrApiVersion);
    const tokens = cost(phase, object);
    if (!xr || tokens === 0) return;
    const list = this.charges.get(xr) ?? [];
    list.push({ at, tokens });
    this.charges.set(xr, list);
  }

  /** Per kind of XR, at the settings given: the largest bucket any XR needed, and how many needed more than the burst. */
  summary(settings: BreakerSettings, since = 0, include: (xr: string) => boolean = () => true) {
    return needsByKind(
      this.needs(settings.refillPerSecond, since).filter((n) => include(n.xr)),
      settings.burst,
    );
  }

  /**
   * The bucket each XR needed, since `since` (ms), at `refillPerSecond`: the largest deficit
   * over any stretch of time, i.e. the most its charges in a stretch exceed what the refill
   * brings meanwhile. Largest first.
   */
  needs(refillPerSecond: number, since = 0): BucketNeed[] {
    const needs: BucketNeed[] = [];
    for (const [xr, list] of this.charges) {
      // running = tokens charged minus tokens refilled since the first charge; the need is the
      // largest rise of `running` from its lowest point before (a maximum-subarray scan).
      let running = 0;
      let lowest = 0;
      let need = 0;
      let previous: number | undefined;
      for (const { at, tokens } of list) {
        if (at < since) continue;
        if (previous !== undefined) running -= ((at - previous) / 1000) * refillPerSecond;
        lowest = Math.min(lowest, running);
        running += tokens;
        need = Math.max(need, running - lowest);
        previous = at;
      }
      if (need > 0) needs.push({ xr, tokens: Math.ceil(need) });
    }
    return needs.sort((a, b) => b.tokens - a.tokens);
  }
}

/** Per kind of XR: the largest bucket any needed, which one, and how many needed more than `burst`. */
function needsByKind(needs: readonly BucketNeed[], burst: number): Record<string, { largest: number; xr: string; xrsOverBurst: number }> {
  const byKind: Record<string, { largest: number; xr: string; xrsOverBurst: number }> = {};
  for (const need of needs) {
    const kind = need.xr.split('/')[0]!;
    const entry = (byKind[kind] ??= { largest: 0, xr: '', xrsOverBurst: 0 });
    if (need.tokens > entry.largest) Object.assign(entry, { largest: need.tokens, xr: need.xr });
    if (need.tokens > burst) entry.xrsOverBurst++;
  }
  return byKind;
}
