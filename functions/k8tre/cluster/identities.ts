import { FederatedIdentityCredential, UserAssignedIdentity } from '../../../imports/managedidentity.azure.m.upbound.io.js';
import { parseArmId } from '../lib/arm-id.js';
import type { DesiredResources } from '../lib/composition.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { meta, placement, refTo, type Stamp } from '../lib/stamp.js';
import { TOKEN_AUDIENCE } from './api.js';
import type { DataStores } from './data-stores.js';
import type { NetworkFacts } from './network-input.js';
import type { SharedKeyAccess } from './shared-keys.js';
import { azureNames, keys, STORAGE_PURPOSES } from './naming.js';
import { ARGOCD_IDENTITY } from './management.js';
import type { ClusterSpec, RoleScope } from './spec.js';

export interface WorkloadIdentityOutcome {
  readonly name: string;
  /** Every service account federated with the identity; the first is its own. */
  readonly subjects: readonly string[];
  readonly roles: readonly { role: string; scope: string }[];
}

/** An identity the cluster federates: a service account's, and any other that acts as it. */
interface FederatedIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** More service accounts in the same namespace that use the identity, e.g. ArgoCD's server. */
  readonly alsoServiceAccounts?: readonly string[];
  readonly roles: readonly { readonly role: string; readonly scope: RoleScope }[];
}

/**
 * Storage and Key Vault roles for the identities that really use them. The reference gave
 * all of them to the control-plane identity, which never touches storage. AKS's blob and file
 * CSI drivers authenticate as the kubelet identity (the node's cloud-provider config), so the
 * kubelet identity gets the storage roles; the Key Vault Secrets Provider add-on has its own
 * identity, which gets read-only Secrets User instead of the reference's Secrets Officer.
 */
export function composeAddOnRoles(
  spec: ClusterSpec,
  stamp: Stamp,
  observed: Observed,
  stores: DataStores,
  sharedKeys: SharedKeyAccess['access'],
  desired: DesiredResources,
): void {
  const kubelet = observed.atProviderPath(keys.cluster, 'kubeletIdentity', 'objectId');
  for (const purpose of STORAGE_PURPOSES) {
    const account = stores.storageIds[purpose];
    if (!kubelet || !account) continue;
    const grants = [
      { slug: 'blob-data-contributor', role: 'Storage Blob Data Contributor', why: 'blob CSI driver reads and writes blobs' },
      // Only where Shared Key is on (shared-keys.ts): the file CSI driver creates
      // shares and lists the account key to mount them. The role can list keys, so an account
      // that refuses them does not get it.
      ...(sharedKeys[purpose]
        ? [{ slug: 'account-contributor', role: 'Storage Account Contributor', why: 'file CSI driver creates shares and mounts them with the account key' }]
        : []),
    ];
    for (const grant of grants) {
      const key = keys.kubeletStorageRole(purpose, grant.slug);
      desired.set(
        key,
        roleAssignment(stamp, {
          key,
          role: grant.role,
          scope: account,
          principalId: kubelet,
          why: `Kubelet identity of ${azureNames.cluster(spec)}: ${grant.why}`,
        }),
      );
    }
  }

  const secretsProvider = observed.atProviderPath(keys.cluster, 'keyVaultSecretsProvider', 'secretIdentity', 0, 'objectId');
  const vault = stores.keyVaultId;
  if (secretsProvider && vault) {
    desired.set(
      keys.secretsProviderRole,
      roleAssignment(stamp, {
        key: keys.secretsProviderRole,
        role: 'Key Vault Secrets User',
        scope: vault,
        principalId: secretsProvider,
        why: 'Secrets Store CSI add-on reads secrets',
      }),
    );
  }
}

/**
 * The identities K8TRE's components run as, federated with the cluster's OIDC issuer. The
 * service accounts match what K8TRE's charts create.
 */
export function composeWorkloadIdentities(
  spec: ClusterSpec,
  stamp: Stamp,
  network: NetworkFacts,
  observed: Observed,
  stores: DataStores,
  desired: DesiredResources,
): WorkloadIdentityOutcome[] {
  const wanted: FederatedIdentity[] = [
    {
      name: 'externaldns',
      namespace: 'externaldns',
      serviceAccount: 'externaldns',
      // external-dns on Azure private DNS needs Reader on the zone's resource group as well, to
      // list its zones (kubernetes-sigs/external-dns, docs/tutorials/azure-private-dns.md).
      roles: [
        { role: 'Private DNS Zone Contributor', scope: { id: network.environmentZoneId } },
        { role: 'Reader', scope: { id: parseArmId(network.environmentZoneId).resourceGroupId } },
      ],
    },
    {
      name: 'certmanager',
      namespace: 'cert-manager',
      serviceAccount: 'cert-manager',
      roles: [{ role: 'DNS Zone Contributor', scope: { id: spec.publicDnsZoneId } }],
    },
    ...(spec.role === 'Management' ? [ARGOCD_IDENTITY] : []),
    ...spec.workloadIdentities,
  ];
  const issuer = observed.atProvider(keys.cluster, 'oidcIssuerUrl');
  const outcomes: WorkloadIdentityOutcome[] = [];

  for (const identity of wanted) {
    const identityKey = keys.workloadIdentity(identity.name);
    const subjectOf = (serviceAccount: string) => `system:serviceaccount:${identity.namespace}:${serviceAccount}`;
    const subject = subjectOf(identity.serviceAccount);
    const federations = [
      { key: keys.federation(identity.name), azureName: `fic-${identity.name}`, subject },
      ...(identity.alsoServiceAccounts ?? []).map((serviceAccount) => ({
        key: keys.federation(`${identity.name}-${serviceAccount}`),
        azureName: `fic-${identity.name}-${serviceAccount}`,
        subject: subjectOf(serviceAccount),
      })),
    ];
    desired.set(
      identityKey,
      render(UserAssignedIdentity, {
        metadata: meta(stamp, identityKey, { azureName: azureNames.workloadIdentity(spec, identity.name) }),
        spec: { providerConfigRef: stamp.providerConfigRef, forProvider: { name: azureNames.workloadIdentity(spec, identity.name), ...placement(stamp) } },
      }),
    );
    // One at a time per identity: Azure refuses concurrent writes of federated credentials to one
    // user-assigned identity with 409 Conflict
    // (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations).
    let earlierSettled = true;
    for (const federation of issuer ? federations : []) {
      const exists = observed.has(federation.key);
      const compose = earlierSettled || exists;
      earlierSettled = earlierSettled && observed.isReady(federation.key);
      if (!compose) continue;
      desired.set(
        federation.key,
        render(FederatedIdentityCredential, {
          metadata: meta(stamp, federation.key, { azureName: federation.azureName }),
          spec: {
            providerConfigRef: stamp.providerConfigRef,
            forProvider: {
              resourceGroupNameRef: refTo(stamp, stamp.resourceGroupKey),
              parentIdRef: refTo(stamp, identityKey),
              audience: [TOKEN_AUDIENCE],
              issuer,
              subject: federation.subject,
            },
          },
        }),
      );
    }
    const principalId = observed.atProvider(identityKey, 'principalId');
    const roles: { role: string; scope: string }[] = [];
    identity.roles.forEach((grant, index) => {
      const scope = resolveScope(grant.scope, observed, stores);
      if (!scope) return;
      roles.push({ role: grant.role, scope });
      if (!principalId) return;
      const key = keys.workloadRole(identity.name, index);
      desired.set(key, roleAssignment(stamp, { key, role: grant.role, scope, principalId, why: `Workload identity ${subject}` }));
    });
    outcomes.push({ name: identity.name, subjects: federations.map((f) => f.subject), roles });
  }
  return outcomes;
}

/** An explicit ID, or the ID of one of this cluster's own resources. */
function resolveScope(scope: RoleScope, observed: Observed, stores: DataStores): string | undefined {
  if ('id' in scope) return scope.id;
  switch (scope.resource) {
    case 'ResourceGroup':
      return observed.atProvider(keys.resourceGroup, 'id');
    case 'KeyVault':
      return stores.keyVaultId;
    case 'CoreStorage':
      return stores.storageIds.core;
    case 'WorkspaceStorage':
      return stores.storageIds.workspace;
  }
}
