import { cidrOrUndefined, type Cidr } from '../lib/cidr.js';
import { byName, dig, isObject } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { SUBNET_ROLES, type PreviousSpoke, type SubnetRole } from './address-plan.js';
import { gatewayChildNames, gatewayIndexOfKey, keys } from './naming.js';
import { composedSpokes } from './spokes.js';
import type { SpokeSpec } from '../spoke/contract.js';
import { recordedSlot, slotOfPriority } from './priorities.js';

// What earlier reconciles decided, so this one can keep it. Three sources, in order of trust:
// the composed resources Crossplane observed (what exists: a spoke's VNet as a network made it
// before spokes were XRs, the gateways), the specs of the spokes the network composed (what it
// decided), then the XR's own status (what the function recorded, which survives a resource that
// is briefly unobserved).

export interface Previous {
  readonly spokes: Map<string, PreviousSpoke>;
  /** Routing slots (priorities.ts), from the gateways' rules or the recorded status. */
  readonly slots: Map<string, number>;
  /** The gateway each exposed environment is on (gateway-placement.ts), from the gateways' listeners or the recorded status. */
  readonly gateways: Map<string, number>;
  /** Environments the spec no longer lists whose spoke still exists. */
  readonly removed: string[];
  /** The spoke spec composed for each environment. */
  readonly spokeSpecs: Map<string, SpokeSpec>;
  /** The Azure names each environment's spoke adopted from an earlier version, as the status recorded them. */
  readonly adopted: Map<string, Record<string, string>>;
  /** Their address spaces, which no new spoke may take while they exist. */
  readonly lingering: Cidr[];
}

const SPOKE_VNET_KEY = /^spoke-([a-z][a-z0-9]*)-vnet$/;

export function readPrevious(environments: readonly string[], xrStatus: unknown, observed: Observed): Previous {
  const recorded = new Map<string, unknown>();
  const list = dig(xrStatus, 'environments');
  if (Array.isArray(list)) {
    for (const entry of list) if (isObject(entry) && typeof entry.name === 'string') recorded.set(entry.name, entry);
  }

  const spokes = new Map<string, PreviousSpoke>();
  const slots = new Map<string, number>();
  const gateways = new Map<string, number>();
  const observedGateways = observed.names().flatMap((key) => {
    const index = gatewayIndexOfKey(key);
    return index === undefined ? [] : [{ index, forProvider: dig(observed.get(key), 'spec', 'forProvider') }];
  });
  const spokeSpecs = composedSpokes(observed);
  const adopted = new Map(
    [...recorded].flatMap(([env, entry]) => {
      const names = dig(entry, 'adopted');
      return isObject(names) ? [[env, Object.fromEntries(Object.entries(names).filter((e): e is [string, string] => typeof e[1] === 'string'))] as const] : [];
    }),
  );
  for (const env of environments) {
    const status = recorded.get(env);
    const composed = spokeSpecs.get(env);
    const addressSpace =
      firstCidr(observed.forProvider(keys.spokeVnet(env), 'addressSpace')) ?? cidrOrUndefined(composed?.addressSpace) ?? cidrAt(status, 'addressSpace');
    if (addressSpace) {
      const subnets: Partial<Record<SubnetRole, Cidr>> = {};
      for (const role of SUBNET_ROLES) {
        const cidr =
          firstCidr(observed.forProvider(keys.spokeSubnet(env, role), 'addressPrefixes')) ??
          cidrOrUndefined(composed?.subnets[role]) ??
          cidrAt(status, 'subnets', role, 'cidr');
        if (cidr) subnets[role] = cidr;
      }
      spokes.set(env, { addressSpace, subnets });
    }
    const slot = observedSlot(observedGateways, env) ?? recordedSlot(status);
    if (slot !== undefined) slots.set(env, slot);
    const gateway =
      observedGateways.find((g) => byName(dig(g.forProvider, 'httpListener')).has(gatewayChildNames(env).listener))?.index ?? recordedGateway(status);
    if (gateway !== undefined) gateways.set(env, gateway);
  }
  const listed = new Set(environments);
  const removed = [...new Set([...observed.names().flatMap((name) => SPOKE_VNET_KEY.exec(name)?.[1] ?? []), ...spokeSpecs.keys()])]
    .filter((env) => !listed.has(env))
    .sort();
  const lingering = removed.flatMap(
    (env) => firstCidr(observed.forProvider(keys.spokeVnet(env), 'addressSpace')) ?? cidrOrUndefined(spokeSpecs.get(env)?.addressSpace) ?? [],
  );
  return { spokes, slots, gateways, removed, lingering, spokeSpecs, adopted };
}

function observedSlot(gateways: readonly { forProvider: unknown }[], env: string): number | undefined {
  for (const { forProvider } of gateways) {
    const rule = byName(dig(forProvider, 'requestRoutingRule')).get(gatewayChildNames(env).rule);
    if (rule && typeof rule.priority === 'number') return slotOfPriority(rule.priority);
  }
  return undefined;
}

function recordedGateway(envStatus: unknown): number | undefined {
  const index = dig(envStatus, 'gateway', 'index');
  return typeof index === 'number' ? index : undefined;
}

function firstCidr(value: unknown): Cidr | undefined {
  return Array.isArray(value) ? cidrOrUndefined(value[0]) : undefined;
}

function cidrAt(value: unknown, ...path: string[]): Cidr | undefined {
  return cidrOrUndefined(dig(value, ...path));
}
