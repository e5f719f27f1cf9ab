import { handover, handoverWaits } from '../lib/adoption.js';
import { parseArmId } from '../lib/arm-id.js';
import { holds } from '../lib/child-xr-readiness.js';
import type { DesiredResources } from '../lib/composition.js';
import type { Outcome } from '../lib/waits.js';
import { composedGates } from './gates.js';
import { dig, isObject } from '../lib/json.js';
import { LABEL_CLUSTER, LABEL_ENVIRONMENT } from '../lib/labels.js';
import type { Observed } from '../lib/observed.js';
import type { Stamp } from '../lib/stamp.js';
import { API_VERSION, GROUP_KIND } from '../identity/api.js';
import type { IdentityGroupSpec, IdentitySpec, IdentityStatus } from '../identity/contract.js';
import { IDENTITIES_PER_GROUP, MAX_ROLES } from '../identity/tree.js';
import type { DataStores } from './data-stores.js';
import { ARGOCD_IDENTITY } from './management.js';
import type { NetworkFacts } from './network-input.js';
import { azureNames, keys } from './naming.js';
import type { ClusterSpec, RoleScope } from './spec.js';
import { definedFields } from '../lib/records.js';

// The identities K8TRE's components run as, federated with the cluster's OIDC issuer, each an
// XK8treWorkloadIdentity in a group of them (identity/). The cluster decides the names, subjects
// and role scopes; the identities report their client and principal IDs.
//
// An identity keeps its group: leaving one deletes its XR, and with it the identity in Azure and
// the client ID every service account is annotated with. A new one goes to the first group with
// room; a group with none left goes.
//
// A cluster composed before identities had XRs of their own held them itself; they move to their
// XRs in lib/adoption.ts's three steps, nothing in Azure deleted or renamed, the role assignments
// adopted by the names the provider gave them.

export interface WorkloadIdentityOutcome {
  readonly name: string;
  /** Every service account federated with the identity; the first is its own. */
  readonly subjects: readonly string[];
  readonly roles: readonly { role: string; scope: string }[];
  readonly clientId?: string;
  readonly principalId?: string;
}

/** The identities, and what they, or their move to their own XRs, wait for. */
export type WorkloadIdentities = Outcome<{ readonly outcomes: readonly WorkloadIdentityOutcome[] }>;

/** An identity the cluster federates: a service account's, and any other that acts as it. */
interface FederatedIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** More service accounts in the same namespace that use the identity, e.g. ArgoCD's server. */
  readonly alsoServiceAccounts?: readonly string[];
  readonly roles: readonly { readonly role: string; readonly scope: RoleScope }[];
}

type GroupEntry = IdentityGroupSpec['identities'][number];

/** Kubernetes names of a cluster's identity groups and identities. */
export const identityXrNames = {
  group: (cluster: string, index: number) => `${cluster}-identities-${index}`,
  identity: (cluster: string, identity: string) => `${cluster}-id-${identity}`,
};

export function composeWorkloadIdentities(
  spec: ClusterSpec,
  stamp: Stamp,
  network: NetworkFacts,
  observed: Observed,
  stores: DataStores,
  previousStatus: unknown,
  desired: DesiredResources,
): WorkloadIdentities {
  const wanted = wantedIdentities(spec, network);
  const groups = observedGroups(observed);
  const issuer = observed.atProvider(keys.cluster, 'oidcIssuerUrl');
  const groupId = observed.atProvider(keys.resourceGroup, 'id');

  const specs = wanted.map((identity) => identitySpec(spec, stamp, identity, issuer, groupId, stores, observed, groups.told.get(identity.name)?.spec));
  const members = placeInGroups(
    wanted.map((identity) => identity.name),
    groups.placement,
  );

  // The move from the cluster's own resources, where an earlier version put them.
  const held = wanted.flatMap((identity) => legacyKeys(identity).filter((key) => observed.has(key)));
  // Told as asked, and told the name of every assignment made before: one told no roles while a
  // scope is unknown would otherwise make its assignments again, which Azure refuses.
  const everyOneTold = specs.every(
    (identitySpec) =>
      holds(groups.told.get(identitySpec.identity)?.spec, identitySpec) &&
      legacyRoleNames(observed, identitySpec.identity).every((name) => identitySpec.roles.some((role) => role.externalName === name)),
  );
  const moving = handover(observed, held, {
    running: [...groups.told.values()].some((entry) => !entry.paused),
    composed: groups.told.size > 0,
    told: everyOneTold,
    ready: observed.isReady(keys.resourceGroup),
  });
  for (const [key, manifest] of moving.held) desired.set(key, manifest);
  const compose = moving.child;
  const moveWaits = handoverWaits(moving, { orphaning: composedGates.identitiesOrphaning(), paused: composedGates.identitiesPaused() });

  if (compose !== 'no') {
    const specOf = new Map(specs.map((identitySpec) => [identitySpec.identity, identitySpec]));
    for (const [index, names] of members) {
      const entries = names.map((name): GroupEntry => ({
        name: identityXrNames.identity(spec.name, name),
        ...(compose === 'paused' && { paused: true }),
        spec: specOf.get(name) as IdentitySpec,
      }));
      desired.set(keys.identityGroup(index), {
        apiVersion: API_VERSION,
        kind: GROUP_KIND,
        metadata: { name: identityXrNames.group(spec.name, index), labels: { [LABEL_CLUSTER]: spec.name, [LABEL_ENVIRONMENT]: spec.environment } },
        spec: { cluster: spec.name, identities: entries } satisfies IdentityGroupSpec,
      });
    }
  } else if (moveWaits.length === 0) {
    moveWaits.push(composedGates.identitiesResourceGroup(spec.resourceGroupName));
  }

  const previous = previousWorkloads(previousStatus);
  const outcomes = wanted.map((identity, i): WorkloadIdentityOutcome => {
    const identitySpec = specs[i] as IdentitySpec;
    const reported = groups.reported.get(identity.name);
    const known = (field: 'clientId' | 'principalId') =>
      reported?.[field] ?? observed.atProvider(keys.legacyIdentity(identity.name), field) ?? previous.get(identity.name)?.[field];
    const clientId = known('clientId');
    const principalId = known('principalId');
    return {
      name: identity.name,
      subjects: identitySpec.federations.map((federation) => federation.subject),
      roles: identitySpec.roles.map(({ role, scope }) => ({ role, scope })),
      ...(clientId && { clientId }),
      ...(principalId && { principalId }),
    };
  });
  // Their federations are told once the cluster's issuer is known (identitySpec).
  return { outcomes, waits: [...(issuer ? [] : [composedGates.oidcIssuer()]), ...moveWaits] };
}

/** K8TRE's own identities, then the user's. The service accounts match what K8TRE's charts create. */
function wantedIdentities(spec: ClusterSpec, network: NetworkFacts): FederatedIdentity[] {
  return [
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
    ...(spec.role === 'Management' && network.certificatePush ? [certificatePushIdentity(network.certificatePush.keyVaultId)] : []),
    ...spec.workloadIdentities,
  ];
}

/**
 * What pushes the certificates cert-manager issues into the gateway's vault, on a management
 * cluster of a network with issuance CertManager (docs/certificates.md): an External Secrets
 * PushSecret through a SecretStore that authenticates as this service account. Importing a
 * certificate is certificates/import, which Key Vault Certificates Officer holds without any
 * access to other secrets or keys in the vault
 * (https://learn.microsoft.com/azure/key-vault/general/rbac-guide#azure-built-in-roles-for-key-vault-data-plane-operations).
 */
export const CERTIFICATE_PUSH_IDENTITY = { name: 'certpush', namespace: 'cert-manager', serviceAccount: 'certificate-push' } as const;

function certificatePushIdentity(keyVaultId: string): FederatedIdentity {
  return {
    name: CERTIFICATE_PUSH_IDENTITY.name,
    namespace: CERTIFICATE_PUSH_IDENTITY.namespace,
    serviceAccount: CERTIFICATE_PUSH_IDENTITY.serviceAccount,
    roles: [{ role: 'Key Vault Certificates Officer', scope: { id: keyVaultId } }],
  };
}

/** What the cluster tells one identity's XR. */
function identitySpec(
  spec: ClusterSpec,
  stamp: Stamp,
  identity: FederatedIdentity,
  issuer: string | undefined,
  groupId: string | undefined,
  stores: DataStores,
  observed: Observed,
  toldBefore: IdentitySpec | undefined,
): IdentitySpec {
  const subjectOf = (serviceAccount: string) => `system:serviceaccount:${identity.namespace}:${serviceAccount}`;
  const subject = subjectOf(identity.serviceAccount);
  const scopes = identity.roles.map((grant) => resolveScope(grant.scope, groupId, stores));
  // All roles or, while a scope is unknown, those told before: a role's key is its place in the
  // list, so a list with a gap would move the roles after it.
  const roles = scopes.every((scope): scope is string => scope !== undefined)
    ? identity.roles.map((grant, index) => {
        const scope = scopes[index] as string;
        const before = toldBefore?.roles[index];
        // An assignment the cluster made before keeps the name the provider gave it.
        const externalName =
          observed.externalName(keys.legacyRole(identity.name, index)) ??
          (before?.role === grant.role && before.scope === scope ? before.externalName : undefined);
        return { role: grant.role, scope, why: `Workload identity ${subject}`, ...(externalName && { externalName }) };
      })
    : (toldBefore?.roles ?? []);
  return {
    cluster: spec.name,
    region: stamp.region,
    providerConfigRef: { ...stamp.providerConfigRef },
    tags: { ...stamp.tags },
    identity: identity.name,
    azureName: azureNames.workloadIdentity(spec, identity.name),
    resourceGroupName: spec.resourceGroupName,
    ...((issuer ?? toldBefore?.issuer) && { issuer: issuer ?? toldBefore?.issuer }),
    federations: [
      { azureName: `fic-${identity.name}`, subject },
      ...(identity.alsoServiceAccounts ?? []).map((serviceAccount) => ({
        azureName: `fic-${identity.name}-${serviceAccount}`,
        subject: subjectOf(serviceAccount),
      })),
    ],
    roles,
  };
}

/** An explicit ID, or the ID of one of this cluster's own resources. */
function resolveScope(scope: RoleScope, groupId: string | undefined, stores: DataStores): string | undefined {
  if ('id' in scope) return scope.id;
  switch (scope.resource) {
    case 'ResourceGroup':
      return groupId;
    case 'KeyVault':
      return stores.keyVaultId;
    case 'CoreStorage':
      return stores.storageIds.core;
    case 'WorkspaceStorage':
      return stores.storageIds.workspace;
  }
}

/** The keys an earlier version composed an identity's resources under in the cluster. */
function legacyKeys(identity: FederatedIdentity): string[] {
  return [
    keys.legacyIdentity(identity.name),
    keys.legacyFederation(identity.name),
    ...(identity.alsoServiceAccounts ?? []).map((serviceAccount) => keys.legacyFederation(`${identity.name}-${serviceAccount}`)),
    ...Array.from({ length: MAX_ROLES }, (_, index) => keys.legacyRole(identity.name, index)),
  ];
}

/** The external names of the role assignments an earlier version made for an identity in the cluster. */
function legacyRoleNames(observed: Observed, identity: string): string[] {
  return Array.from({ length: MAX_ROLES }, (_, index) => observed.externalName(keys.legacyRole(identity, index))).filter(
    (name): name is string => name !== undefined,
  );
}

/** The observed groups: which group each identity is in, what it was told, and what it reports. */
function observedGroups(observed: Observed): {
  placement: Map<string, number>;
  told: Map<string, GroupEntry>;
  reported: Map<string, IdentityStatus>;
} {
  const placement = new Map<string, number>();
  const told = new Map<string, GroupEntry>();
  const reported = new Map<string, IdentityStatus>();
  for (const key of observed.names()) {
    const index = groupIndexOf(key);
    const group = observed.get(key);
    if (index === undefined || !group) continue;
    const entries = dig(group, 'spec', 'identities');
    for (const entry of Array.isArray(entries) ? (entries as GroupEntry[]) : []) {
      const name = entry.spec?.identity;
      if (typeof name !== 'string') continue;
      placement.set(name, index);
      told.set(name, entry);
    }
    const statuses = dig(group, 'status', 'identities');
    for (const status of Array.isArray(statuses) ? statuses : []) {
      if (isObject(status) && typeof status.identity === 'string') reported.set(status.identity, status);
    }
  }
  return { placement, told, reported };
}

/** The index of a group from its key (naming.ts's keys.identityGroup), or none for another key. */
function groupIndexOf(key: string): number | undefined {
  const match = /^identities-(\d+)$/.exec(key);
  return match && keys.identityGroup(Number(match[1])) === key ? Number(match[1]) : undefined;
}

/** Group index → its identities: each where it is, a new one in the first group with room. */
function placeInGroups(names: readonly string[], placement: ReadonlyMap<string, number>): Map<number, string[]> {
  const members = new Map<number, string[]>();
  const add = (index: number, name: string) => members.set(index, [...(members.get(index) ?? []), name]);
  for (const name of names) {
    const index = placement.get(name);
    if (index !== undefined) add(index, name);
  }
  for (const name of names.filter((n) => !placement.has(n))) {
    let index = 0;
    while ((members.get(index)?.length ?? 0) >= IDENTITIES_PER_GROUP) index++;
    add(index, name);
  }
  return new Map([...members].sort(([a], [b]) => a - b));
}

/** The client and principal IDs the cluster last reported, by identity. */
function previousWorkloads(previousStatus: unknown): Map<string, { clientId?: string; principalId?: string }> {
  const workloads = dig(previousStatus, 'identities', 'workloads');
  return new Map(
    (Array.isArray(workloads) ? workloads : []).flatMap((w) =>
      isObject(w) && typeof w.name === 'string'
        ? [
            [
              w.name,
              definedFields({
                clientId: typeof w.clientId === 'string' ? w.clientId : undefined,
                principalId: typeof w.principalId === 'string' ? w.principalId : undefined,
              }),
            ],
          ]
        : [],
    ),
  );
}
