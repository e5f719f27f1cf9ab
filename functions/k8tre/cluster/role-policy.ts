import { FieldError } from '../lib/field-error.js';

// Which roles a user's workload identity may hold, and where. The cluster's own identities have
// their roles fixed in code; these rules are for spec.workloadIdentities[].roles. Role names are
// compared as Azure resolves them: without regard to case or repeated spaces.
//
//   on one resource         any role but those that take over identities; only reading roles on a
//                           managed identity, cluster or VM
//   on a resource group     the roles allowed there (below); data-plane ones only with broadScope
//   on a subscription       the reader roles allowed there; data-plane ones only with broadScope
//
// An allow-list, not a deny-list, for the broad scopes: the cluster's resource group holds its own
// identities (ArgoCD's, which every workload cluster makes cluster admin, among them), so a role
// there that can add a federated credential, list a storage key or grant access is an escalation.
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles

export type ScopeKind = 'subscription' | 'resourceGroup' | 'resource';

/** Roles that can grant access to others or to themselves. */
export const PRIVILEGED_ROLES = [
  'owner',
  'contributor',
  'user access administrator',
  'role based access control administrator',
  'key vault administrator',
  'azure kubernetes service rbac cluster admin',
];

/** Roles that can federate or assign a managed identity: with them a service account becomes that identity. */
export const IDENTITY_ROLES = ['managed identity contributor', 'managed identity operator'];

/** Read-only roles a workload identity may hold on a whole subscription. */
const SUBSCRIPTION_ROLES = ['reader', 'monitoring reader', 'log analytics reader', 'security reader', 'cost management reader'];

/**
 * Control-plane roles a workload identity may hold on a whole resource group: none can reach keys,
 * identities, access or name resolution. Not Log Analytics Contributor (it may list storage account
 * keys) nor the DNS zone roles (on the network's group they would rewrite every private-link and
 * API-server record); those go on one resource.
 */
const RESOURCE_GROUP_ROLES = [...SUBSCRIPTION_ROLES, 'monitoring contributor', 'monitoring metrics publisher', 'acrpull'];

/**
 * Resources on which a write role lets its holder act as an identity: a managed identity itself
 * (federate with it), a cluster (run pods as any service account, ArgoCD's among them) and a VM or
 * scale set (run a command as the identities assigned to it, the kubelet's among them). Only
 * reading roles there.
 */
const IDENTITY_BEARING = /\/providers\/Microsoft\.(ManagedIdentity|ContainerService|Compute)\//i;
const IDENTITY_BEARING_ROLES = [
  ...SUBSCRIPTION_ROLES,
  'azure kubernetes service rbac reader',
  'azure kubernetes service cluster user role',
  'azure kubernetes service cluster monitoring user',
];

/** Data-plane roles: on a group or subscription they reach every store there, present and future. */
const DATA_PLANE_ROLES = [
  'storage blob data reader',
  'storage blob data contributor',
  'storage queue data reader',
  'storage queue data contributor',
  'storage queue data message processor',
  'storage queue data message sender',
  'storage table data reader',
  'storage table data contributor',
  'storage file data smb share reader',
  'storage file data smb share contributor',
  'key vault secrets user',
  'key vault reader',
  'key vault crypto user',
  'key vault certificate user',
];

export function scopeKind(id: string): ScopeKind {
  if (/^\/subscriptions\/[^/]+\/?$/i.test(id)) return 'subscription';
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/?$/i.test(id)) return 'resourceGroup';
  return 'resource';
}

const normalise = (role: string) => role.trim().replace(/\s+/g, ' ').toLowerCase();
const where = { subscription: 'a whole subscription', resourceGroup: 'a whole resource group', resource: 'a resource' } as const;

/** Throws a FieldError on `field` when the grant breaks the rules above. `scopeId` is the resource's ID, when given as one. */
export function checkRoleGrant(role: string, kind: ScopeKind, broadScope: boolean, field: string, scopeId?: string): void {
  const name = normalise(role);
  if (IDENTITY_ROLES.includes(name)) {
    throw new FieldError(field, `${role} is not allowed for a workload identity: it can federate or assign managed identities, and so act as them`);
  }
  if (kind === 'resource') {
    if (scopeId !== undefined && IDENTITY_BEARING.test(scopeId) && !IDENTITY_BEARING_ROLES.includes(name)) {
      throw new FieldError(
        field,
        `${role} on a managed identity, cluster or VM is not allowed for a workload identity: it could act as the identities there, the kubelet's or ArgoCD's among them (allowed there: ${IDENTITY_BEARING_ROLES.join(', ')})`,
      );
    }
    return;
  }
  if (DATA_PLANE_ROLES.includes(name)) {
    if (broadScope) return;
    throw new FieldError(
      field,
      `${role} on ${where[kind]} reaches the data in every store there, present and future; scope it to one resource, or set broadScope: true on this role if that is meant`,
    );
  }
  const allowed = kind === 'subscription' ? SUBSCRIPTION_ROLES : RESOURCE_GROUP_ROLES;
  if (!allowed.includes(name)) {
    throw new FieldError(
      field,
      `${role} on ${where[kind]} is not allowed for a workload identity (allowed there: ${allowed.join(', ')}, and data-plane roles with broadScope); scope it to one resource`,
    );
  }
}
