import type { DnsSpec, NetworkSpec } from './spec.js';

export interface EnvironmentDomains {
  readonly public: string;
  readonly internal: string;
}

/**
 * An environment's public domain (what users type; the gateway's listener hosts) and its
 * internal domain (its private zone; the gateway's backend). They are the same name when the
 * deployment is split-horizon, the reference's current design. The apex environment owns the
 * zones themselves, as prd does in the reference. Worked out once, when the spec is read
 * (EnvironmentSpec.domains).
 */
export function environmentDomains(dns: Pick<DnsSpec, 'publicZone' | 'internalDomain'>, env: { name: string; apex: boolean }): EnvironmentDomains {
  const prefix = env.apex ? '' : `${env.name}.`;
  return { public: `${prefix}${dns.publicZone}`, internal: `${prefix}${dns.internalDomain}` };
}

export function isSplitHorizon(spec: NetworkSpec): boolean {
  return spec.dns.internalDomain === spec.dns.publicZone;
}
