import { describe, expect, it } from 'vitest';
import { limits } from '../../functions/k8tre/network/api.js';
import { MAX_COMPOSED_PER_XR, SPOKES_PER_GROUP } from '../../functions/k8tre/spoke/tree.js';
import { reconcileInProcess, type Json, type Reconciled } from '../../scripts/lib/in-process.js';
import { loadExample } from '../support/function.js';

// Crossplane scales by reconciling many small XRs: each XR's watch circuit breaker, answer and
// reconcile stay bounded only if what it composes does (spoke/tree.ts). The largest network the XRD
// allows, with everything that adds resources (a created hub with all its subnets, a Basic
// firewall, which adds its management subnet, an internal domain, a management network, a
// management environment and a Key Vault certificate per environment), must keep every XR of its tree within the bound, as a network of
// three does; and a NAT gateway per spoke, the other way out, must keep its spoke within it.

function largest(environments: number, egress: Json = { firewall: { tier: 'Basic' } }): Json {
  const base = loadExample('examples/network/internal-domain.yaml');
  return {
    ...base,
    spec: {
      ...(base.spec as Json),
      hub: { addressSpace: '10.100.0.0/22', firewallSubnet: true, managementSubnet: true },
      addressPool: { cidr: '10.128.0.0/10', spokePrefixLength: 20 },
      egress,
      gateway: {
        ...((base.spec as Json).gateway as Json),
        certificates: { ...(((base.spec as Json).gateway as Json).certificates as Json), issuance: 'KeyVault', keyVault: { issuerName: 'DigiCert' } },
      },
      management: {
        virtualNetworkId:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-crossplane/providers/Microsoft.Network/virtualNetworks/vnet-crossplane',
        addressSpace: '172.31.0.0/22',
      },
      environments: Array.from({ length: environments }, (_, i) => ({ name: `env${i}`, ...(i === 0 && { management: true }) })),
    },
  };
}

/** Every XR of a settled tree with how many resources it composes, by kind of XR. */
function sizes(reconciled: Reconciled, out = new Map<string, number[]>()): Map<string, number[]> {
  const kind = String(reconciled.xr.kind);
  out.set(kind, [...(out.get(kind) ?? []), Object.keys(reconciled.observed).length]);
  for (const child of reconciled.children.values()) sizes(child, out);
  return out;
}

describe('the tree of XRs', () => {
  const small = sizes(reconcileInProcess(largest(3)));
  const big = sizes(reconcileInProcess(largest(limits.environments.max)));

  it(`keeps every XR of the largest network within ${MAX_COMPOSED_PER_XR} composed resources`, () => {
    for (const [kind, counts] of big) expect(Math.max(...counts), kind).toBeLessThanOrEqual(MAX_COMPOSED_PER_XR);
    expect(big.get('XK8treSpoke')).toHaveLength(limits.environments.max);
    expect(big.get('XK8treSpokeGroup')).toHaveLength(Math.ceil(limits.environments.max / SPOKES_PER_GROUP));
  });

  it('keeps a spoke with a NAT gateway of its own (egress.natGateway) within the bound too', () => {
    const withNat = sizes(reconcileInProcess(largest(3, { natGateway: {} })));
    expect(Math.max(...(withNat.get('XK8treSpoke') ?? []))).toBe(Math.max(...(small.get('XK8treSpoke') ?? [])) + 4);
    expect(Math.max(...(withNat.get('XK8treSpoke') ?? []))).toBeLessThanOrEqual(MAX_COMPOSED_PER_XR);
  });

  it('gives a spoke as many resources at the limit as in a network of three', () => {
    expect(Math.max(...(big.get('XK8treSpoke') ?? []))).toBe(Math.max(...(small.get('XK8treSpoke') ?? [])));
  });
});
