import { FederatedIdentityCredential, UserAssignedIdentity } from '../../../imports/managedidentity.azure.m.upbound.io.js';
import * as c from '../lib/contract.js';
import type { ComposeInput, Composition, DesiredResources } from '../lib/composition.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { gatedCondition, gates, type Outcome, type Wait } from '../lib/waits.js';
import { ownSpec } from '../lib/own-spec.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { meta, refTo, type Stamp } from '../lib/stamp.js';
import { TOKEN_AUDIENCE } from '../cluster/api.js';
import { clusterChildStamp } from '../cluster/child-contract.js';
import { identitySpecContract, type IdentitySpec, type IdentityStatus } from './contract.js';
import { definedFields } from '../lib/records.js';

// One workload identity of a cluster: the user-assigned identity, a federated credential per
// service account that acts as it, and its role assignments, as its cluster decided them.

export const keys = {
  identity: 'identity',
  federation: (azureName: string) => `federation-${azureName}`,
  role: (index: number) => `role-${index}`,
} as const;

/** What an identity holds back, each told in its Composed condition. */
export const identityGates = gates('identity', 'Composed', {
  federationsInTurn: () => 'each federated credential to be Ready before the next (Azure refuses concurrent writes to one identity)',
  principalId: () => "the identity's principal ID, for its role assignments",
});

export function composeWorkloadIdentityXr({ xr, observed }: ComposeInput): Composition {
  const spec = c.read(identitySpecContract, ownSpec(xr), 'spec');
  // Nothing here is placed by reference: the resource group is the cluster's, named in the spec.
  const stamp = clusterChildStamp(xr, spec, '');
  const desired: DesiredResources = new Map();
  const { waits } = composeIdentity(spec, stamp, observed, desired);
  const status = definedFields<IdentityStatus>({
    id: reported(observed, 'id'),
    clientId: reported(observed, 'clientId'),
    principalId: reported(observed, 'principalId'),
  });
  // Always sent, as Crossplane keeps a condition the function stops sending. It tells why the
  // identity is not Ready yet: what it has not composed is not among the resources Crossplane
  // reads readiness from.
  return { resources: desired, status, conditions: [gatedCondition('Composed', waits)] };
}

function reported(observed: Observed, field: 'id' | 'clientId' | 'principalId'): string | undefined {
  return observed.atProvider(keys.identity, field) || undefined;
}

function composeIdentity(spec: IdentitySpec, stamp: Stamp, observed: Observed, desired: DesiredResources): Outcome {
  const waits: Wait[] = [];
  desired.set(
    keys.identity,
    render(UserAssignedIdentity, {
      metadata: meta(stamp, keys.identity, { azureName: spec.azureName }),
      spec: {
        providerConfigRef: stamp.providerConfigRef,
        forProvider: { name: spec.azureName, location: stamp.region, resourceGroupName: spec.resourceGroupName, tags: { ...stamp.tags } },
      },
    }),
  );
  // One at a time: Azure refuses concurrent writes of federated credentials to one user-assigned
  // identity with 409 Conflict
  // (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations).
  let earlierSettled = true;
  let heldBack = false;
  for (const federation of spec.issuer ? spec.federations : []) {
    const key = keys.federation(federation.azureName);
    const compose = earlierSettled || observed.has(key);
    earlierSettled = earlierSettled && observed.isReady(key);
    if (!compose) {
      heldBack = true;
      continue;
    }
    desired.set(
      key,
      render(FederatedIdentityCredential, {
        metadata: meta(stamp, key, { azureName: federation.azureName }),
        spec: {
          providerConfigRef: stamp.providerConfigRef,
          forProvider: {
            resourceGroupName: spec.resourceGroupName,
            parentIdRef: refTo(stamp, keys.identity),
            audience: [TOKEN_AUDIENCE],
            issuer: spec.issuer,
            subject: federation.subject,
          },
        },
      }),
    );
  }
  if (heldBack) waits.push(identityGates.federationsInTurn());
  // The namespaced RoleAssignment has no principalIdRef: composed once Azure reports the principal.
  const principalId = observed.atProvider(keys.identity, 'principalId');
  if (!principalId) {
    if (spec.roles.length > 0) waits.push(identityGates.principalId());
    return { waits };
  }
  spec.roles.forEach((grant, index) => {
    const key = keys.role(index);
    // The provider names a new assignment by the ID Azure gives it; once it has, that name is kept,
    // or a desired state without it would have the provider make the assignment again.
    const externalName = grant.externalName ?? observed.externalName(key);
    desired.set(key, roleAssignment(stamp, { key, role: grant.role, scope: grant.scope, principalId, why: grant.why, ...(externalName && { externalName }) }));
  });
  return { waits };
}
