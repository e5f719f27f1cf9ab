import { limits } from './api.js';

// Which Application Gateway serves each exposed environment. An Application Gateway routes through
// at most 100 listeners and holds at most 100 certificates and backend pools
// (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#application-gateway-limits).
// Each gateway has one HTTP listener that redirects every host to HTTPS, and each environment one
// HTTPS listener, certificate and pool, so a gateway serves 99 environments.
//
// Stability rule, as for address spaces and routing slots: an environment that has a gateway keeps
// it, whatever happens around it, because moving it would change its public address (its DNS
// records point at its gateway's IP). Only environments without one are placed, in list order, on
// the lowest-numbered gateway with room; when all are full, on a new one.

export interface GatewayPlacement {
  /** Gateway index by environment: 0 is the first gateway, the one a network had before gateways were sharded. */
  readonly byEnvironment: ReadonlyMap<string, number>;
  /** How many gateways to compose: one more than the highest index in use, and at least one. */
  readonly count: number;
}

export function placeOnGateways(
  exposed: readonly string[],
  previous: ReadonlyMap<string, number>,
  capacity: number = limits.gateway.environmentsEach,
): GatewayPlacement {
  const byEnvironment = new Map<string, number>();
  const load: number[] = [];
  const add = (env: string, index: number) => {
    byEnvironment.set(env, index);
    load[index] = (load[index] ?? 0) + 1;
  };
  for (const env of exposed) {
    const kept = previous.get(env);
    // A gateway over capacity (a limit lowered later) keeps what it has: nothing moves.
    if (kept !== undefined && Number.isInteger(kept) && kept >= 0 && kept < limits.gateway.max) add(env, kept);
  }
  for (const env of exposed) {
    if (byEnvironment.has(env)) continue;
    let index = 0;
    while ((load[index] ?? 0) >= capacity) index++;
    add(env, index);
  }
  return { byEnvironment, count: Math.max(1, load.length) };
}
