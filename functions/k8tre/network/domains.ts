import type { EnvironmentSpec, NetworkSpec } from './spec.js';

/**
 * An environment's public domain (what users type; the gateway's listener hosts) and its
 * internal domain (its private zone; the gateway's backend). They are the same name when the
 * deployment is split-horizon, the reference's current design. The apex environment owns the
 * zones themselves, as prd does in the reference.
 */
export function environmentDomains(spec: NetworkSpec, env: EnvironmentSpec): { public: string; internal: string } {
  const prefix = env.apex ? '' : `${env.name}.`;
  return { public: `${prefix}${spec.dns.publicZone}`, internal: `${prefix}${spec.dns.internalDomain}` };
}

export function isSplitHorizon(spec: NetworkSpec): boolean {
  return spec.dns.internalDomain === spec.dns.publicZone;
}
