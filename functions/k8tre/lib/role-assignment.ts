import { RoleAssignment } from '../../../imports/authorization.azure.m.upbound.io.js';
import { render, type Manifest } from './manifest.js';
import { meta, type Stamp } from './stamp.js';

export interface RoleGrant {
  readonly key: string;
  readonly role: string;
  readonly scope: string;
  /** Object (principal) ID of the identity; known only once Azure reports it. */
  readonly principalId: string;
  readonly why: string;
  /** Whom principalId names: an application's or managed identity's principal (the default), or an Entra group. */
  readonly principalType?: 'ServicePrincipal' | 'Group';
  /** The external name of an assignment made before (its Azure ID), to adopt; absent, the provider names a new one. */
  readonly externalName?: string;
}

/**
 * An Azure role assignment. The namespaced RoleAssignment has no principalIdRef or scopeRef,
 * so callers compose one only once both IDs are observed, never with a guessed value.
 */
export function roleAssignment(stamp: Stamp, grant: RoleGrant): Manifest {
  return render(RoleAssignment, {
    metadata: meta(stamp, grant.key, grant.externalName ? { azureName: grant.externalName } : {}),
    spec: {
      providerConfigRef: stamp.providerConfigRef,
      forProvider: {
        principalId: grant.principalId,
        principalType: grant.principalType ?? 'ServicePrincipal',
        roleDefinitionName: grant.role,
        scope: grant.scope,
        description: grant.why,
      },
    },
  });
}
