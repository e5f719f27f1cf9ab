// The shape of a network's tree of XRs, and the bound it keeps.
//
// Crossplane's watch circuit breaker gives each XR a bucket of 100 tokens refilled at 1 per second;
// an event on a composed resource costs its XR 1 token, an update 2 (crossplane v2.3.4
// internal/circuit). Every hour each kind's informer replays its objects as updates; controller-
// runtime (v0.23.1 cache/internal/informers.go, calculateResyncPeriod) spreads the kinds' periods
// over 0.9 to 1.1 hours, so they mostly come apart, but they may coincide. An XR that composes at
// most 49 resources spends at most 100 tokens even then, with its own replay, the bucket's size.
// So no XR of a network's tree composes more than 49, nor of a cluster's (identity/tree.ts):
//   XK8treNetwork       the hub, shared zones, gateways, its monitoring and one group per 25 slots
//   XK8treSpokeGroup    up to 25 spokes
//   XK8treSpoke         one environment’s 33 to 38 resources
// An environment's group follows from its routing slot, which never changes (network/priorities.ts),
// so an environment never moves between groups. With 275 environments (the most), 11 groups.

export const MAX_COMPOSED_PER_XR = 49;
export const SPOKES_PER_GROUP = 25;

/** The group an environment's spoke belongs to, from its routing slot (1 and up). */
export function groupOfSlot(slot: number): number {
  return Math.floor((slot - 1) / SPOKES_PER_GROUP);
}
