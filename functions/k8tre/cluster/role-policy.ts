import { FieldError } from '../lib/field-error.js';

// Which roles a user's workload identity may hold, and where. The cluster's own identities have
// their roles fixed in code; these rules are for spec.workloadIdentities[].roles. Role names are
// compared without regard to case, as Azure resolves them.
//
//   on one resource         any role
//   on a resource group     any but the privileged ones; data-plane roles only with broadScope
//   on a subscription       reader roles; data-plane roles only with broadScope; nothing privileged
//
// Privileged roles can grant themselves or others more (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles#privileged);
// a data-plane role on a group or subscription reaches the data in every store there, present and future.

export type ScopeKind = 'subscription' | 'resourceGroup' | 'resource';

/** Azure's privileged administrator roles, and Key Vault Administrator, which manages every vault's access. */
export const PRIVILEGED_ROLES = [
  'owner',
  'contributor',
  'user access administrator',
  'role based access control administrator',
  'key vault administrator',
  'azure kubernetes service rbac cluster admin',
];

export function scopeKind(id: string): ScopeKind {
  if (/^\/subscriptions\/[^/]+\/?$/i.test(id)) return 'subscription';
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/?$/i.test(id)) return 'resourceGroup';
  return 'resource';
}

/** Storage, Cosmos DB, Service Bus and the like ("... Data ..."), and Key Vault's secrets, keys and certificates. */
export function isDataPlaneRole(role: string): boolean {
  return /\bdata\b/i.test(role) || /^key vault (secrets|crypto|certificates?)\b/i.test(role);
}

const where = { subscription: 'a whole subscription', resourceGroup: 'a whole resource group', resource: 'a resource' } as const;

/** Throws a FieldError on `field` when the grant breaks the rules above. */
export function checkRoleGrant(role: string, kind: ScopeKind, broadScope: boolean, field: string): void {
  if (kind === 'resource') return;
  const name = role.toLowerCase();
  if (PRIVILEGED_ROLES.includes(name)) {
    throw new FieldError(field, `${role} on ${where[kind]} is not allowed for a workload identity: it can grant more than itself; scope it to one resource`);
  }
  if (isDataPlaneRole(role)) {
    if (broadScope) return;
    throw new FieldError(
      field,
      `${role} on ${where[kind]} reaches the data in every store there, present and future; scope it to one resource, or set broadScope: true on this role if that is meant`,
    );
  }
  if (kind === 'subscription' && !name.endsWith('reader')) {
    throw new FieldError(
      field,
      `${role} on ${where[kind]} is more than a workload identity needs; only reader roles are allowed there, scope it to a resource group or resource`,
    );
  }
}
