import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import type { ComposeInput, Composition, DesiredResources } from '../lib/composition.js';
import { dig, digString, isObject } from '../lib/json.js';
import { ownSpec } from '../lib/own-spec.js';
import { LABEL_ENVIRONMENT, LABEL_NETWORK } from '../lib/labels.js';
import { API_VERSION, KIND } from './api.js';
import { spokeSpecContract, type SpokeStatus } from './contract.js';
import { SPOKES_PER_GROUP } from './tree.js';

// A group of spokes: composes one XK8treSpoke per entry of its spec, as its network wrote them,
// and reports what each spoke reports.

/** Crossplane reconciles no XR with this annotation. */
export const PAUSED = 'crossplane.io/paused';

export const spokeGroupSpecContract = c.object('The spokes of one group of a network’s environments. Written by the XK8treNetwork; edits are overwritten.', {
  network: c.string('The XK8treNetwork the group belongs to.'),
  spokes: c.array(
    'The spokes, one per environment.',
    c.object('A spoke.', {
      name: c.string('Its XK8treSpoke’s name.'),
      paused: c.optional(c.boolean('Composed but not reconciled: its network still holds the resources it will adopt (network/migration.ts).')),
      spec: spokeSpecContract,
    }),
  ),
});
export type SpokeGroupSpec = TypeOf<typeof spokeGroupSpecContract>;

export const spokeGroupStatusContract = c.object('What each spoke reports, once Azure does.', {
  spokes: c.listMap(
    'By environment.',
    'environment',
    c.object('A spoke.', {
      environment: c.string('The environment.'),
      virtualNetworkId: c.optional(c.string('Spoke VNet ID.')),
      subnetIds: c.optional(c.map('Subnet IDs by role.', c.string('Azure ID.'))),
      dnsZoneId: c.optional(c.string('The environment’s private zone ID.')),
    }),
  ),
});
export type SpokeGroupStatus = TypeOf<typeof spokeGroupStatusContract>;

export function composeSpokeGroup({ xr, observed }: ComposeInput): Composition {
  const spec = c.read(spokeGroupSpecContract, ownSpec(xr), 'spec');
  if (spec.spokes.length > SPOKES_PER_GROUP) throw new Error(`internal: ${spec.spokes.length} spokes in one group; at most ${SPOKES_PER_GROUP}`);
  const desired: DesiredResources = new Map();
  const spokes: SpokeGroupStatus['spokes'] = [];
  for (const spoke of spec.spokes) {
    const key = spoke.spec.environment;
    desired.set(key, {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: {
        name: spoke.name,
        labels: { [LABEL_NETWORK]: spec.network, [LABEL_ENVIRONMENT]: spoke.spec.environment },
        ...(spoke.paused && { annotations: { [PAUSED]: 'true' } }),
      },
      spec: spoke.spec,
    });
    spokes.push({ environment: key, ...reportedBy(observed.get(key)) });
  }
  return { resources: desired, status: { spokes }, conditions: [] };
}

/** What a spoke's status reports, as far as it does: Crossplane adds its conditions beside it. */
export function reportedBy(spoke: unknown): SpokeStatus {
  const virtualNetworkId = digString(spoke, 'status', 'virtualNetworkId');
  const dnsZoneId = digString(spoke, 'status', 'dnsZoneId');
  const ids = dig(spoke, 'status', 'subnetIds');
  const subnetIds = isObject(ids) ? Object.fromEntries(Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  return { ...(virtualNetworkId && { virtualNetworkId }), ...(Object.keys(subnetIds).length > 0 && { subnetIds }), ...(dnsZoneId && { dnsZoneId }) };
}
