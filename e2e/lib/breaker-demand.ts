// How many watch events Crossplane's circuit breaker counted for each XR controller, sampled
// from its metrics over time, so a run can say the peak demand in any window. Events the
// breaker dropped count too: they are demand the settings did not meet. The counters restart
// with Crossplane; a sample lower than the last is taken as a restart and carried on from it.
//
// `circuit_breaker_events_total` is per controller (one per XRD), not per XR: for the network
// controller of the example platform (one network) it is that XR's own count; for the cluster
// controller it is the sum over clusters, an upper bound for any one of them.

export class BreakerDemand {
  private readonly samples = new Map<string, { at: number; total: number }[]>();
  private readonly offsets = new Map<string, number>();
  private readonly last = new Map<string, number>();

  /** Records one scrape: cumulative events per controller. */
  record(totals: Readonly<Record<string, number>>, at = Date.now()): void {
    for (const [controller, raw] of Object.entries(totals)) {
      const previous = this.last.get(controller) ?? 0;
      if (raw < previous) this.offsets.set(controller, (this.offsets.get(controller) ?? 0) + previous);
      this.last.set(controller, raw);
      const list = this.samples.get(controller) ?? [];
      list.push({ at, total: raw + (this.offsets.get(controller) ?? 0) });
      this.samples.set(controller, list);
    }
  }

  /** The most events any controller counted within `seconds`, and which. */
  peak(seconds: number): { controller: string; events: number } {
    let best = { controller: '', events: 0 };
    for (const [controller, list] of this.samples) {
      let start = 0;
      for (const sample of list) {
        while ((list[start]?.at ?? sample.at) < sample.at - seconds * 1000) start++;
        const events = sample.total - (list[Math.max(0, start - 1)]?.total ?? 0);
        if (events > best.events) best = { controller, events };
      }
    }
    return best;
  }

  totals(): Record<string, number> {
    return Object.fromEntries([...this.samples].map(([controller, list]) => [controller, list.at(-1)?.total ?? 0]));
  }
}
