import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import type { ComposeInput, Composition, DesiredResources } from '../lib/composition.js';
import { dig, digString, isObject } from '../lib/json.js';
import { ownSpec } from '../lib/own-spec.js';
import { LABEL_ENVIRONMENT, LABEL_NETWORK } from '../lib/labels.js';
import { PAUSED } from '../lib/adoption.js';
import { API_VERSION, KIND } from './api.js';
import { spokeSpecContract, spokeStatusFields, type SpokeStatus } from './contract.js';
import { SPOKES_PER_GROUP } from './tree.js';
import { limits } from '../network/api.js';

// A group of spokes: composes one XK8treSpoke per entry of its spec, as its network wrote them,
// and reports what each spoke reports.

export const spokeGroupSpecContract = c.object('The spokes of one group of a network’s environments. Written by the XK8treNetwork; edits are overwritten.', {
  network: c.string('The XK8treNetwork the group belongs to.', { pattern: limits.xrName.pattern.source }),
  spokes: c.array(
    'The spokes, one per environment.',
    c.object('A spoke.', {
      name: c.string('Its XK8treSpoke’s name.'),
      paused: c.optional(c.boolean('Composed but not reconciled: its network still holds the resources it will adopt (network/migration.ts).')),
      spec: spokeSpecContract,
    }),
    { maxItems: SPOKES_PER_GROUP },
  ),
});
export type SpokeGroupSpec = TypeOf<typeof spokeGroupSpecContract>;

export const spokeGroupStatusContract = c.object('What each spoke reports, once Azure does.', {
  spokes: c.listMap('By environment.', 'environment', c.object('A spoke.', { environment: c.string('The environment.'), ...spokeStatusFields })),
});
export type SpokeGroupStatus = TypeOf<typeof spokeGroupStatusContract>;

export function composeSpokeGroup({ xr, observed }: ComposeInput): Composition {
  const spec = c.read(spokeGroupSpecContract, ownSpec(xr), 'spec');
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
  const outboundType = digString(spoke, 'status', 'outboundType');
  const certificateSecretId = digString(spoke, 'status', 'certificateSecretId');
  const certificateExpires = digString(spoke, 'status', 'certificateExpires');
  const ids = dig(spoke, 'status', 'subnetIds');
  const subnetIds = isObject(ids) ? Object.fromEntries(Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  // Field by field into an empty object, not a literal that starts with a spread: the network
  // reads these for every environment, and such a literal gives each object a map of its own
  // once V8 has seen it spread many shapes (see withDomains in network/spec.ts).
  const status: { -readonly [K in keyof SpokeStatus]: SpokeStatus[K] } = {};
  if (virtualNetworkId) status.virtualNetworkId = virtualNetworkId;
  if (Object.keys(subnetIds).length > 0) status.subnetIds = subnetIds;
  if (dnsZoneId) status.dnsZoneId = dnsZoneId;
  if (outboundType) status.outboundType = outboundType;
  if (certificateSecretId) status.certificateSecretId = certificateSecretId;
  if (certificateExpires) status.certificateExpires = certificateExpires;
  return status;
}
