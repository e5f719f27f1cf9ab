import { blockAt, contains, DisjointBlocks, firstFreeBlock, formatCidr, overlaps, size, type Cidr } from '../lib/cidr.js';
import { FieldError } from '../lib/field-error.js';

// Where every spoke and subnet goes. Pure: the caller supplies what was allocated before
// (from the XR's status and the observed VNets) and gets back a complete plan.
//
// Stability rule: an environment that already has an address space keeps it, whatever
// happens to the list around it. Only environments that have none yet are placed, in list
// order, each in the lowest free block of the pool. So adding, removing or reordering
// environments never moves another one.

export type SubnetRole = 'nodes' | 'privateEndpoints' | 'ingress' | 'apiServer';
export const SUBNET_ROLES: readonly SubnetRole[] = ['nodes', 'privateEndpoints', 'ingress', 'apiServer'];

export interface SpokeRequest {
  readonly name: string;
  /** Path of the environment in the spec, for error messages. */
  readonly field: string;
  readonly explicit?: Cidr;
}

export interface PreviousSpoke {
  readonly addressSpace: Cidr;
  readonly subnets: Partial<Record<SubnetRole, Cidr>>;
}

export interface AddressPlanInput {
  readonly hub: Cidr;
  readonly pool?: { readonly cidr: Cidr; readonly spokePrefixLength: number };
  readonly environments: readonly SpokeRequest[];
  readonly previous: ReadonlyMap<string, PreviousSpoke>;
  /** Ranges still in use by spokes of environments that were removed but still exist. */
  readonly reserved?: readonly Cidr[];
  /** Other networks no spoke may overlap (a peered management network), with how to name them. */
  readonly others?: readonly { readonly cidr: Cidr; readonly describe: string }[];
}

export interface SpokePlan {
  readonly addressSpace: Cidr;
  readonly subnets: Readonly<Record<SubnetRole, Cidr>>;
}

export function planAddresses(input: AddressPlanInput): Map<string, SpokePlan> {
  const placed = new Map<string, Cidr>();
  const holders: { cidr: Cidr; describe: string }[] = [
    { cidr: input.hub, describe: `the hub (spec.hub.addressSpace ${formatCidr(input.hub)})` },
    ...(input.others ?? []),
  ];
  const others = [...holders];
  const reserved = (input.reserved ?? []).map((cidr) => ({ cidr, describe: `${formatCidr(cidr)}, still used by a removed environment's spoke` }));

  // Explicit and previously allocated spaces are fixed points; check them against each other.
  const fixedPoints = new DisjointBlocks();
  for (const env of input.environments) {
    const fixed = env.explicit ?? input.previous.get(env.name)?.addressSpace;
    if (!fixed) continue;
    // The first holder it overlaps, as a plain find would name it; the sorted blocks only spare
    // a search through every environment's when there is none (a network of 250 spent a tenth
    // of its composing here).
    const overlapping = (h: { cidr: Cidr }) => overlaps(h.cidr, fixed);
    const clash = others.find(overlapping) ?? (fixedPoints.overlapsAny(fixed) ? holders.find(overlapping) : undefined);
    if (clash) {
      const field = env.explicit ? `${env.field}.addressSpace` : env.field;
      const origin = env.explicit ? '' : ' (allocated earlier and kept)';
      throw new FieldError(field, `${formatCidr(fixed)}${origin} overlaps ${clash.describe}`);
    }
    placed.set(env.name, fixed);
    fixedPoints.add(fixed);
    holders.push({ cidr: fixed, describe: `${env.field} (${env.name}, ${formatCidr(fixed)})` });
  }

  for (const env of input.environments) {
    if (placed.has(env.name)) continue;
    if (!input.pool) throw new FieldError('spec.addressPool', `is required because ${env.field} (${env.name}) has no addressSpace`);
    const { cidr: pool, spokePrefixLength } = input.pool;
    const block = firstFreeBlock(
      pool,
      spokePrefixLength,
      [...holders, ...reserved].map((h) => h.cidr),
    );
    if (!block) {
      throw new FieldError('spec.addressPool.cidr', `${formatCidr(pool)} has no free /${spokePrefixLength} left for ${env.field} (${env.name})`);
    }
    placed.set(env.name, block);
    holders.push({ cidr: block, describe: `${env.field} (${env.name}, ${formatCidr(block)})` });
  }

  const plan = new Map<string, SpokePlan>();
  for (const env of input.environments) {
    const addressSpace = placed.get(env.name);
    if (!addressSpace) throw new Error(`internal: ${env.name} was not placed`);
    plan.set(env.name, { addressSpace, subnets: keepSubnets(spokeSubnets(addressSpace), addressSpace, input.previous.get(env.name)) });
  }
  return plan;
}

/**
 * The fixed layout of a spoke of prefix P, by fractions of the spoke:
 *   nodes             first half          (P+1)   AKS nodes; pods are overlay, not VNet
 *   privateEndpoints  at 1/2, one eighth  (P+3)   Key Vault and storage endpoints
 *   ingress           at 5/8, a sixteenth (P+4)   the internal load balancer of the cluster gateway
 *   apiServer         at 3/4, a /27               AKS API server VNet integration
 * The rest stays free for later subnets. AKS reserves at least nine addresses of the API server
 * subnet and warns that running out stops the API server from scaling; /28 is its minimum, and
 * the AKS baseline asks for /27 (https://learn.microsoft.com/azure/aks/api-server-vnet-integration).
 * Spokes planned before kept their /28 at 11/16: live subnets never move (keepSubnets).
 */
export function spokeSubnets(spoke: Cidr): Record<SubnetRole, Cidr> {
  const total = size(spoke);
  const p = spoke.prefixLength;
  return {
    nodes: blockAt(spoke, 0, p + 1),
    privateEndpoints: blockAt(spoke, total / 2, p + 3),
    ingress: blockAt(spoke, (total * 5) / 8, p + 4),
    apiServer: blockAt(spoke, (total * 3) / 4, 27),
  };
}

/**
 * Subnets that already exist keep their ranges while they still fit in the spoke, so a
 * future change to the layout never renumbers a live subnet. A kept set that would overlap
 * (a spoke resized by hand) falls back to the computed layout.
 */
function keepSubnets(computed: Record<SubnetRole, Cidr>, spoke: Cidr, previous: PreviousSpoke | undefined): Record<SubnetRole, Cidr> {
  if (!previous) return computed;
  const result = { ...computed };
  for (const role of SUBNET_ROLES) {
    const kept = previous.subnets[role];
    if (kept && contains(spoke, kept)) result[role] = kept;
  }
  const ranges = SUBNET_ROLES.map((role) => result[role]);
  const clash = ranges.some((a, i) => ranges.some((b, j) => i < j && overlaps(a, b)));
  return clash ? computed : result;
}
