import * as c from '../lib/contract.js';
import type { ComposeInput, Composition, DesiredResources } from '../lib/composition.js';
import { dig, digString } from '../lib/json.js';
import { ownSpec } from '../lib/own-spec.js';
import { LABEL_CLUSTER } from '../lib/labels.js';
import { PAUSED } from '../lib/adoption.js';
import { API_VERSION, KIND } from './api.js';
import { identityGroupSpecContract, type IdentityGroupStatus, type IdentityStatus } from './contract.js';
import { definedFields } from '../lib/records.js';

// A group of a cluster's workload identities: composes one XK8treWorkloadIdentity per entry of its
// spec, as its cluster wrote them, and reports what each identity reports.

export function composeWorkloadIdentityGroup({ xr, observed }: ComposeInput): Composition {
  const spec = c.read(identityGroupSpecContract, ownSpec(xr), 'spec');
  const desired: DesiredResources = new Map();
  const identities: IdentityGroupStatus['identities'] = [];
  for (const entry of spec.identities) {
    const key = entry.spec.identity;
    desired.set(key, {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: {
        name: entry.name,
        labels: { [LABEL_CLUSTER]: spec.cluster },
        ...(entry.paused && { annotations: { [PAUSED]: 'true' } }),
      },
      spec: entry.spec,
    });
    identities.push({ identity: key, ...reportedBy(observed.get(key)) });
  }
  return { resources: desired, status: { identities }, conditions: [] };
}

/** What an identity's status reports, as far as it does. */
export function reportedBy(identity: unknown): IdentityStatus {
  const status = dig(identity, 'status');
  const field = (name: keyof IdentityStatus) => digString(status, name) || undefined;
  return definedFields<IdentityStatus>({ id: field('id'), clientId: field('clientId'), principalId: field('principalId') });
}
