import { condition, conditionsOf, type Kube, type KubeObject } from './kube.js';

// Watches every XR for the whole run and holds Crossplane's reports to the truth at every
// step, not only at the end: an XR is never Ready while a condition the function owns is
// False or while it has composed nothing, and no XR's watch circuit breaker opens.

/** Conditions Crossplane itself owns; every other condition on an XR is the function's. */
const CROSSPLANE_CONDITIONS = new Set(['Ready', 'Synced', 'Responsive', 'Healthy']);

export interface Sighting {
  readonly xr: string;
  readonly at: string;
  readonly what: string;
}

export class XrMonitor {
  /** Ready=True while the XR said it waited, or had composed nothing. */
  readonly falseReady: Sighting[] = [];
  /** Responsive=False (Crossplane's watch circuit breaker). */
  readonly unresponsive: Sighting[] = [];
  /** Synced=False from Crossplane: the API server refused a composed resource, or the function failed. */
  readonly unsynced: Sighting[] = [];
  /** "<xr key> <condition>" for every condition of the function seen False while the XR was not Ready. */
  readonly waitedNotReady = new Set<string>();
  private readonly latest = new Map<string, KubeObject>();
  private stops: (() => void)[] = [];

  static async start(kube: Kube, kinds: readonly { apiVersion: string; kind: string }[]): Promise<XrMonitor> {
    const monitor = new XrMonitor();
    for (const { apiVersion, kind } of kinds) {
      monitor.stops.push(
        await kube.watch(apiVersion, kind, (phase, xr) => {
          const key = `${kind}/${xr.metadata.namespace ?? ''}/${xr.metadata.name}`;
          if (phase === 'DELETED') monitor.latest.delete(key);
          else {
            monitor.latest.set(key, xr);
            monitor.check(key, xr);
          }
        }),
      );
    }
    return monitor;
  }

  /** The XR as last seen, by "<kind>/<namespace>/<name>". */
  get(key: string): KubeObject | undefined {
    return this.latest.get(key);
  }

  keys(): string[] {
    return [...this.latest.keys()];
  }

  stop(): void {
    for (const stop of this.stops) stop();
  }

  private check(key: string, xr: KubeObject): void {
    const at = new Date().toISOString();
    const ready = condition(xr, 'Ready');
    // The function says False while it waits. Unknown is Crossplane's after a Fatal answer (a
    // refused spec, Synced=False): nothing was applied, and Ready still describes what exists.
    const waiting = conditionsOf(xr).filter((c) => !CROSSPLANE_CONDITIONS.has(c.type) && c.status === 'False');
    if (ready?.status !== 'True') for (const c of waiting) this.waitedNotReady.add(`${key} ${c.type}`);
    if (ready?.status === 'True') {
      const refs = ((xr.spec as { crossplane?: { resourceRefs?: unknown[] } } | undefined)?.crossplane?.resourceRefs ?? []).length;
      if (waiting.length > 0)
        this.falseReady.push({
          xr: key,
          at,
          what: `Ready=True while ${waiting.map((c) => `${c.type}=${c.status} (${c.message ?? c.reason ?? ''})`).join(', ')}`,
        });
      else if (refs === 0) this.falseReady.push({ xr: key, at, what: 'Ready=True with nothing composed' });
    }
    const responsive = condition(xr, 'Responsive');
    if (responsive?.status === 'False') this.unresponsive.push({ xr: key, at, what: `${responsive.reason ?? ''}: ${responsive.message ?? ''}` });
    const synced = condition(xr, 'Synced');
    if (synced?.status === 'False') this.unsynced.push({ xr: key, at, what: `${synced.reason ?? ''}: ${synced.message ?? ''}` });
  }
}
