import * as c from '../lib/contract.js';
import type { TypeOf } from '../lib/contract.js';
import { patterns } from '../cluster/api.js';
import { azureId, clusterChildFields, groupName } from '../cluster/child-contract.js';
import { IDENTITIES_PER_GROUP, MAX_FEDERATIONS, MAX_ROLES } from './tree.js';

// What a cluster tells a workload identity (the spec) and what the identity tells the cluster
// (the status), and the same for a group of identities: one source for the XRDs' schemas, the
// types the cluster writes and reads, and the readers the identity and the group check their spec with.

export const identitySpecContract = c.object('What the cluster decided for one workload identity. Written by the XK8treCluster; edits are overwritten.', {
  ...clusterChildFields,
  identity: c.string('The name the cluster knows the identity by.', { pattern: patterns.kubernetesName.pattern.source }),
  // 3 to 128 letters, digits, hyphens and underscores, from a letter or digit
  // (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftmanagedidentity).
  azureName: c.string('The user-assigned identity’s Azure name.', { pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$' }),
  resourceGroupName: groupName('Its resource group: the cluster’s.'),
  issuer: c.optional(c.string('The cluster’s OIDC issuer; the federations wait for it.', { pattern: '^https://', maxLength: 2048 })),
  federations: c.array(
    'The service accounts federated with it, one credential each; the first is its own.',
    c.object('A federated credential.', {
      // 3 to 120 letters, digits, hyphens and underscores, from a letter or digit
      // (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations#unsupported-characters).
      azureName: c.string('The credential’s Azure name.', { pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$' }),
      subject: c.string('The service account, as system:serviceaccount:<namespace>:<name>.', { maxLength: 600 }),
    }),
    { maxItems: MAX_FEDERATIONS },
  ),
  roles: c.array(
    'The roles it holds, each with its scope resolved by the cluster.',
    c.object('A role assignment.', {
      role: c.string('The role’s name.', { pattern: patterns.roleName.pattern.source }),
      scope: azureId('The scope’s Azure ID.'),
      why: c.string('Why it holds the role: the assignment’s description.', { maxLength: 1024 }),
      // provider-upjet-azure names a role assignment by its Azure ID (config/externalname.go:
      // azurerm_role_assignment, IdentifierFromProvider), which ends in the assignment's GUID.
      externalName: c.optional(
        c.string('The external name (its Azure ID) of an assignment made before, for the identity to adopt rather than make again.', {
          pattern: '^/.+/providers/Microsoft\\.Authorization/roleAssignments/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
          maxLength: 2048,
        }),
      ),
    }),
    { maxItems: MAX_ROLES },
  ),
});
export type IdentitySpec = TypeOf<typeof identitySpecContract>;

const reportedFields = {
  id: c.optional(c.string('The user-assigned identity’s Azure ID.')),
  clientId: c.optional(c.string('Its client ID, for the service accounts’ azure.workload.identity/client-id annotation.')),
  principalId: c.optional(c.string('Its principal (object) ID.')),
};

export const identityStatusContract = c.object('What Azure reports of the identity. The cluster reads it through the group.', reportedFields);
export type IdentityStatus = TypeOf<typeof identityStatusContract>;

export const identityGroupSpecContract = c.object('Some of a cluster’s workload identities. Written by the XK8treCluster; edits are overwritten.', {
  cluster: clusterChildFields.cluster,
  identities: c.array(
    'The identities, each composed as an XK8treWorkloadIdentity.',
    c.object('An identity.', {
      name: c.string('Its XK8treWorkloadIdentity’s name.'),
      paused: c.optional(c.boolean('Composed but not reconciled: its cluster still holds the resources it will adopt (cluster/workload-identities.ts).')),
      spec: identitySpecContract,
    }),
    { maxItems: IDENTITIES_PER_GROUP },
  ),
});
export type IdentityGroupSpec = TypeOf<typeof identityGroupSpecContract>;

export const identityGroupStatusContract = c.object('What each identity reports, once Azure does.', {
  identities: c.listMap('By identity.', 'identity', c.object('An identity.', { identity: c.string('The name the cluster knows it by.'), ...reportedFields })),
});
export type IdentityGroupStatus = TypeOf<typeof identityGroupStatusContract>;
