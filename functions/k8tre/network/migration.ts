import { SUBNET_ROLES } from './address-plan.js';
import { PRIVATE_LINK_ZONE_KEYS } from './api.js';
import { environmentZoneKey } from './dns.js';
import { keys } from './naming.js';
import { keys as spokeKeys } from '../spoke/naming.js';
import type { Observed } from '../lib/observed.js';
import type { Manifest } from '../lib/manifest.js';
import { holdOne } from '../lib/hold.js';
import { dig } from '../lib/json.js';

// Moving a network composed before spokes were XRs of their own onto the tree, with nothing in
// Azure deleted or renamed.
//
// Crossplane deletes a composed resource that leaves its XR's desired state, and a provider then
// deletes it in Azure unless its management policies leave out Delete
// (https://docs.crossplane.io/latest/managed-resources/managed-resources/#managementpolicies). So an
// environment's resources move in three steps, each taken only once the one before is observed:
//   1. the network composes them as they stand, with management policies without Delete;
//   2. it composes the environment's spoke, paused (Crossplane reconciles nothing paused), with the
//      Azure names they have, while still holding them;
//   3. once the paused spoke is observed with every name, it drops them (Crossplane deletes the
//      objects and the provider orphans what they manage) and unpauses the spoke, whose resources
//      adopt them by those names.
// One Azure resource is never managed by two objects, and the names never rest on a resource the
// network composed in the same answer: `npm run e2e` showed Crossplane calling again before such a
// resource can be observed.

/** Everything the provider may do but delete. */
export const ORPHANING_POLICIES = ['Observe', 'Create', 'Update', 'LateInitialize'];

/** An environment's resources as a network composed them before, by the key its spoke gives them. */
export type LegacySpoke = ReadonlyMap<string, string>;

/** The composition keys a network used for an environment's spoke before spokes were XRs, with the spoke's key for each. */
function legacyKeys(env: string, managementEnvironment: string | undefined): [legacy: string, spoke: string][] {
  const zone = environmentZoneKey(env);
  return [
    [keys.spokeVnet(env), spokeKeys.vnet],
    ...SUBNET_ROLES.flatMap((role): [string, string][] => [
      [keys.spokeSubnet(env, role), spokeKeys.subnet(role)],
      [keys.spokeNsg(env, role), spokeKeys.nsg(role)],
      [keys.spokeNsgAssociation(env, role), spokeKeys.nsgAssociation(role)],
      [keys.spokeRouteTable(env, role), spokeKeys.routeTable(role)],
      [keys.spokeRouteTableAssociation(env, role), spokeKeys.routeTableAssociation(role)],
    ]),
    [keys.peeringToHub(env), spokeKeys.peeringToHub],
    [keys.peeringFromHub(env), spokeKeys.peeringFromHub],
    [keys.peeringToManagement(env), spokeKeys.peeringToManagement],
    [keys.peeringFromManagement(env), spokeKeys.peeringFromManagement],
    ...(managementEnvironment && managementEnvironment !== env
      ? ([
          [keys.peeringBetweenSpokes(env, managementEnvironment), spokeKeys.peeringToManagementSpoke],
          [keys.peeringBetweenSpokes(managementEnvironment, env), spokeKeys.peeringFromManagementSpoke],
        ] as [string, string][])
      : []),
    [keys.dnsZone(zone), spokeKeys.dnsZone],
    [keys.dnsLink(zone, 'hub'), spokeKeys.dnsZoneLinkHub],
    [keys.dnsLink(zone, env), spokeKeys.dnsZoneLink],
    ...PRIVATE_LINK_ZONE_KEYS.map((purpose): [string, string] => [keys.dnsLink(purpose, env), spokeKeys.privateLinkZoneLink(purpose)]),
  ];
}

/** The environment's resources this network still composes itself: legacy key by spoke key, those observed. */
export function legacySpoke(observed: Observed, env: string, managementEnvironment: string | undefined): LegacySpoke {
  return new Map(legacyKeys(env, managementEnvironment).flatMap(([legacy, spoke]) => (observed.has(legacy) ? [[spoke, legacy] as const] : [])));
}

/** Whether the provider would delete this resource in Azure when its object goes: its policies allow Delete. */
export function mayDelete(observed: Observed, key: string): boolean {
  const policies = dig(observed.get(key), 'spec', 'managementPolicies');
  return !Array.isArray(policies) || policies.includes('*') || policies.includes('Delete');
}

/** Step 1: the resources as they stand, with policies that let nothing delete them. */
export function holdOrphaning(observed: Observed, legacy: LegacySpoke): Map<string, Manifest> {
  const held = new Map<string, Manifest>();
  for (const key of legacy.values()) {
    const manifest = holdOne(observed, key);
    held.set(key, { ...manifest, spec: { ...manifest.spec, managementPolicies: [...ORPHANING_POLICIES] } });
  }
  return held;
}

/** The step an environment whose resources the network still holds is at (see above). */
export type MigrationStep = 'orphaning' | 'paused' | 'handing-over';

/**
 * Which step: still waiting for every old resource to be observed without Delete; waiting for its
 * paused spoke to be observed told every name (`told`, from the observed group); or ready to hand
 * over.
 */
export function migrationStep(
  observed: Observed,
  legacy: LegacySpoke,
  names: Readonly<Record<string, string>>,
  told: Readonly<Record<string, string>>,
): MigrationStep {
  if ([...legacy.values()].some((key) => mayDelete(observed, key))) return 'orphaning';
  return Object.entries(names).every(([key, value]) => told[key] === value) ? 'handing-over' : 'paused';
}

/** The Azure names the resources have, by the spoke's key: the spoke composes them under these. */
export function externalNamesOf(observed: Observed, legacy: LegacySpoke): Record<string, string> {
  return Object.fromEntries(
    [...legacy].flatMap(([spoke, key]) => {
      const name = observed.externalName(key);
      return name ? [[spoke, name]] : [];
    }),
  );
}
