import { SUBNET_ROLES } from './address-plan.js';
import { PRIVATE_LINK_ZONE_KEYS } from './api.js';
import { environmentZoneKey } from './dns.js';
import { keys } from './naming.js';
import { keys as spokeKeys } from '../spoke/naming.js';
import type { Observed } from '../lib/observed.js';
import { memoized } from '../lib/memo.js';

// Moving a network composed before spokes were XRs of their own onto the tree, with nothing in
// Azure deleted or renamed, in lib/adoption.ts's three steps: each environment's resources go to
// its spoke. The names never rest on a resource the network composed in the same answer: `npm run
// e2e` showed Crossplane calling again before such a resource can be observed.

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

/** legacyKeys by environment and management environment: the same every reconcile, and built for each environment of every network. */
const legacyKeysOf = memoized((cacheKey) => {
  const [env = '', management = ''] = cacheKey.split('\u0000');
  return Object.freeze(legacyKeys(env, management === '' ? undefined : management));
}, 4096);

/** The environment's resources this network still composes itself: legacy key by spoke key, those observed. */
export function legacySpoke(observed: Observed, env: string, managementEnvironment: string | undefined): LegacySpoke {
  const pairs = legacyKeysOf(`${env}\u0000${managementEnvironment ?? ''}`);
  const found = new Map<string, string>();
  for (const [legacy, spoke] of pairs) if (observed.has(legacy)) found.set(spoke, legacy);
  return found;
}

/** Whether the paused spoke was observed told every name (`told`, from the observed group). */
export function spokeToldEveryName(names: Readonly<Record<string, string>>, told: Readonly<Record<string, string>>): boolean {
  return Object.entries(names).every(([key, value]) => told[key] === value);
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
