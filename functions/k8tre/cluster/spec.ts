import { parseMonitoring, type MonitoringSettings } from './monitoring.js';
import { parseCidr, type Cidr } from '../lib/cidr.js';
import { FieldError } from '../lib/field-error.js';
import { SpecReader, missing, optional, quote, stringItem } from '../lib/spec-reader.js';
import { readXrBasics } from '../lib/xr-basics.js';
import { enums as networkEnums } from '../network/api.js';
import { ARGOCD_REQUIRED_LABELS, defaults, enums, limits, NODE_LABEL_LIMITS, patterns } from './api.js';
import { checkRoleGrant, scopeKind } from './role-policy.js';
import { NAMING_PRESETS, presetNames, type NamingPreset } from './naming-preset.js';
import { STORAGE_PURPOSES, SYSTEM_POOL, type StoragePurpose } from './naming.js';
import { definedFields } from '../lib/records.js';

// The typed form of an XK8treCluster's spec, with every default applied.

export interface NodePoolSpec {
  readonly name: string;
  readonly field: string;
  readonly vmSize: string;
  readonly minCount: number;
  readonly maxCount: number;
  readonly maxPods: number;
  readonly zones: readonly string[];
  readonly osSku: (typeof enums.osSku)[number];
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly string[];
  /** Encryption at host; unset, what the pool has in force, else on (host-encryption.ts). */
  readonly hostEncryption?: boolean;
}

export interface MaintenanceWindowSpec {
  readonly dayOfWeek: (typeof enums.dayOfWeek)[number];
  readonly startTime: string;
  readonly durationHours: number;
  /** Unset: the region's standard time (maintenance.ts). */
  readonly utcOffset?: string;
}

export type RoleScope = { readonly id: string } | { readonly resource: (typeof enums.symbolicScope)[number] };

export interface WorkloadIdentitySpec {
  readonly name: string;
  readonly field: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roles: readonly { readonly role: string; readonly scope: RoleScope }[];
}

export interface IdentityRef {
  readonly clientId: string;
  readonly principalId: string;
}

export interface ArgoCdSpec {
  readonly namespace: string;
  readonly controllerIdentity: IdentityRef;
  /** provider-kubernetes config for the management cluster itself, where ArgoCD runs. */
  readonly providerConfigRef: { readonly kind: string; readonly name: string };
  readonly labels: Readonly<Record<string, string>>;
}

export interface ArgoCdServerSpec {
  readonly hostname?: string;
  readonly chartVersion: string;
  readonly cmpImage: string;
  /** provider-azuread config for the Entra application. */
  readonly entraProviderConfigRef: { readonly kind: string; readonly name: string };
}

export interface ClusterSpec {
  readonly name: string;
  readonly namespace: string;
  readonly environment: string;
  readonly networkName: string;
  readonly naming: NamingPreset;
  readonly resourceGroupName: string;
  /** Where the Key Vault and storage accounts live, retained with them. */
  readonly dataResourceGroupName: string;
  readonly providerConfigRef: { kind: string; name: string };
  readonly tags: Readonly<Record<string, string>>;
  readonly tenantId: string;
  readonly adminGroupObjectIds: readonly string[];
  readonly kubernetesVersion: string;
  readonly serviceCidr: Cidr;
  readonly podCidr?: Cidr;
  readonly systemPool: Omit<NodePoolSpec, 'name' | 'field' | 'osSku' | 'labels' | 'taints'>;
  readonly nodePools: readonly NodePoolSpec[];
  readonly maintenance: { readonly autoUpgrade: MaintenanceWindowSpec; readonly nodeOs: MaintenanceWindowSpec };
  readonly security: {
    readonly runCommand: boolean;
    readonly imageCleanerIntervalHours: number;
    /** Unset: on where the network has monitoring, whose workspace it reports to (monitoring.ts). */
    readonly defender?: boolean;
  };
  readonly monitoring: MonitoringSettings;
  readonly keyVault: { readonly name?: string; readonly softDeleteRetentionDays: number };
  readonly storage: {
    readonly replication: (typeof enums.storageReplication)[number];
    readonly workspaceName?: string;
    readonly coreName?: string;
    /** Whether each account takes Shared Key requests, where the XR says (shared-keys.ts decides otherwise). */
    readonly sharedKeyAccess: Readonly<Partial<Record<StoragePurpose, boolean>>>;
  };
  readonly publicDnsZoneId: string;
  readonly workloadIdentities: readonly WorkloadIdentitySpec[];
  readonly deletionPolicy: (typeof enums.deletionPolicy)[number];
  readonly management: {
    /** The identity provider-helm and provider-kubernetes run as in the management cluster. */
    readonly providerIdentity: IdentityRef;
    /** The management ArgoCD to register with; absent, the cluster is not registered. */
    readonly argocd?: ArgoCdSpec;
  };
  readonly ciliumVersion: string;
  readonly ciliumClusterId?: number;
  readonly role: (typeof enums.role)[number];
  /** The ArgoCD this cluster hosts; set exactly when the role is Management. */
  readonly argocdServer?: ArgoCdServerSpec;
}

export function parseClusterSpec(metadata: { name?: unknown; namespace?: unknown }, rawSpec: unknown): ClusterSpec {
  const { name, namespace, spec, providerConfigRef, tags } = readXrBasics(metadata, rawSpec, limits.xrName);
  const networking = spec.object('networking');
  const keyVault = spec.object('keyVault');
  const storage = spec.object('storage');
  const accountNames = storage?.object('accountNames');
  const cilium = spec.object('cilium');
  const environment = spec.requiredString('environment', patterns.environmentName);
  const naming = spec.oneOf('naming', NAMING_PRESETS, 'Unique');
  const preset = presetNames(naming, name, environment, { core: accountNames?.has('core') ?? false, workspace: accountNames?.has('workspace') ?? false });
  // Whether AKS still supports the minor depends on what is in force (kubernetes-version.ts, from the table in aks-versions.ts).
  const kubernetesVersion = spec.string('kubernetesVersion', patterns.kubernetesVersion) ?? defaults.kubernetesVersion;

  const result: ClusterSpec = {
    name,
    namespace,
    environment,
    networkName: spec.requiredObject('networkRef').requiredString('name', patterns.kubernetesName),
    naming,
    resourceGroupName: spec.string('resourceGroupName', patterns.resourceGroupName) ?? preset.resourceGroupName,
    dataResourceGroupName: spec.string('dataResourceGroupName', patterns.resourceGroupName) ?? preset.dataResourceGroupName,
    providerConfigRef,
    tags,
    tenantId: spec.requiredString('tenantId', patterns.uuid),
    adminGroupObjectIds: spec.list('adminGroupObjectIds', limits.adminGroups, stringItem(patterns.uuid)) ?? missing('spec.adminGroupObjectIds'),
    kubernetesVersion,
    serviceCidr: networking?.cidr('serviceCidr', limits.servicePrefix) ?? parseCidr(defaults.serviceCidr),
    ...optional('podCidr', networking?.cidr('podCidr', limits.podPrefix)),
    systemPool: parseSystemPool(spec.object('systemPool')),
    nodePools: parseNodePools(spec),
    maintenance: parseMaintenance(spec.object('maintenance')),
    security: parseSecurity(spec.object('security')),
    monitoring: parseMonitoring(spec),
    keyVault: definedFields<ClusterSpec['keyVault']>({
      name: keyVault?.string('name', patterns.keyVaultName) ?? preset.keyVaultName,
      softDeleteRetentionDays:
        keyVault?.integer('softDeleteRetentionDays', limits.softDeleteDays, defaults.keyVaultSoftDeleteDays) ?? defaults.keyVaultSoftDeleteDays,
    }),
    storage: {
      replication: storage?.oneOf('replication', enums.storageReplication, defaults.storageReplication) ?? defaults.storageReplication,
      ...optional('workspaceName', accountNames?.string('workspace', patterns.storageAccountName) ?? preset.workspaceStorageName),
      ...optional('coreName', accountNames?.string('core', patterns.storageAccountName) ?? preset.coreStorageName),
      sharedKeyAccess: parseSharedKeyAccess(storage?.object('sharedKeyAccess')),
    },
    publicDnsZoneId: spec.requiredObject('certManager').requiredString('publicDnsZoneId', patterns.dnsZoneId),
    workloadIdentities: parseWorkloadIdentities(spec),
    deletionPolicy: spec.oneOf('deletionPolicy', enums.deletionPolicy, defaults.deletionPolicy),
    management: parseManagement(spec.requiredObject('management')),
    ciliumVersion: cilium?.string('version', patterns.ciliumVersion) ?? defaults.ciliumVersion,
    ...optional('ciliumClusterId', cilium?.has('clusterId') ? cilium.integer('clusterId', limits.ciliumClusterId, 0) : undefined),
    ...parseRole(spec),
  };
  if (result.name === result.networkName) {
    throw new FieldError(
      'metadata.name',
      `${quote(name)} is the name of its XK8treNetwork; their composed resources would share names in namespace ${namespace}, so name the cluster differently`,
    );
  }
  if (result.dataResourceGroupName.toLowerCase() === result.resourceGroupName.toLowerCase()) {
    throw new FieldError(
      'spec.dataResourceGroupName',
      `must differ from spec.resourceGroupName (${result.resourceGroupName}): the provider deletes no resource group that still holds the retained data stores`,
    );
  }
  if (result.storage.workspaceName && result.storage.workspaceName === result.storage.coreName) {
    throw new FieldError('spec.storage.accountNames.core', 'must differ from spec.storage.accountNames.workspace');
  }
  return result;
}

function parseRole(spec: SpecReader): Pick<ClusterSpec, 'role' | 'argocdServer'> {
  const role = spec.oneOf('role', enums.role, 'Workload');
  const server = spec.object('argocdServer');
  if (role === 'Workload') {
    if (server) throw new FieldError('spec.argocdServer', 'applies only to spec.role Management');
    return { role };
  }
  const reader = server ?? SpecReader.root({}, 'spec.argocdServer');
  const entra = reader.object('entraProviderConfigRef');
  const hostname = reader.string('hostname', patterns.dnsName);
  return {
    role,
    argocdServer: {
      chartVersion: reader.string('chartVersion', patterns.chartVersion) ?? defaults.argocdChartVersion,
      cmpImage: reader.string('cmpImage', patterns.image) ?? defaults.argocdCmpImage,
      entraProviderConfigRef: {
        kind: entra?.oneOf('kind', networkEnums.providerConfigKind, 'ClusterProviderConfig') ?? 'ClusterProviderConfig',
        name: entra?.string('name', patterns.kubernetesName) ?? 'default',
      },
      ...optional('hostname', hostname),
    },
  };
}

function parseManagement(management: SpecReader): ClusterSpec['management'] {
  const argocd = management.object('argocd');
  return {
    providerIdentity: parseIdentityRef(management.requiredObject('providerIdentity')),
    ...optional('argocd', argocd && parseArgoCd(argocd)),
  };
}

function parseArgoCd(argocd: SpecReader): ArgoCdSpec {
  const ref = argocd.requiredObject('providerConfigRef');
  return {
    namespace: argocd.string('namespace', patterns.kubernetesName) ?? 'argocd',
    controllerIdentity: parseIdentityRef(argocd.requiredObject('controllerIdentity')),
    providerConfigRef: {
      kind: ref.oneOf('kind', networkEnums.providerConfigKind, 'ClusterProviderConfig'),
      name: ref.requiredString('name', patterns.kubernetesName),
    },
    labels: argocd.stringMap('labels', {
      maxEntries: 30,
      maxKey: 63,
      maxValue: 63,
      forbiddenKey: {
        pattern: new RegExp(`^(${ARGOCD_REQUIRED_LABELS.map((l) => l.replace(/[./]/g, '\\$&')).join('|')})$`),
        describe: 'the package sets it from the cluster, and ArgoCD or K8TRE select clusters by it',
      },
    }),
  };
}

function parseIdentityRef(identity: SpecReader): IdentityRef {
  return { clientId: identity.requiredString('clientId', patterns.uuid), principalId: identity.requiredString('principalId', patterns.uuid) };
}

function parseSystemPool(pool: SpecReader | undefined): ClusterSpec['systemPool'] {
  const d = defaults.systemPool;
  // At least two, unless one is in force: compose-cluster.ts checks, where what is in force is known.
  const minCount = pool?.integer('minCount', limits.systemNodeCountInForce, d.minCount) ?? d.minCount;
  const maxCount = pool?.integer('maxCount', limits.systemNodeCount, d.maxCount) ?? d.maxCount;
  if (maxCount < minCount) throw new FieldError('spec.systemPool.maxCount', `${maxCount} is below spec.systemPool.minCount (${minCount})`);
  return {
    vmSize: pool?.string('vmSize', patterns.vmSize) ?? d.vmSize,
    minCount,
    maxCount,
    maxPods: pool?.integer('maxPods', limits.maxPods, d.maxPods) ?? d.maxPods,
    zones: pool ? (parseZones(pool) ?? [...d.zones]) : [...d.zones],
    ...optional('hostEncryption', pool?.has('hostEncryption') ? pool.boolean('hostEncryption', true) : undefined),
  };
}

function parseMaintenance(maintenance: SpecReader | undefined): ClusterSpec['maintenance'] {
  const window = (key: keyof typeof defaults.maintenance): MaintenanceWindowSpec => {
    const reader = maintenance?.object(key);
    const d = defaults.maintenance[key];
    return {
      dayOfWeek: reader?.oneOf('dayOfWeek', enums.dayOfWeek, d.dayOfWeek) ?? d.dayOfWeek,
      startTime: reader?.string('startTime', patterns.maintenanceStart) ?? d.startTime,
      durationHours: reader?.integer('durationHours', limits.maintenanceHours, d.durationHours) ?? d.durationHours,
      ...optional('utcOffset', reader?.string('utcOffset', patterns.utcOffset)),
    };
  };
  return { autoUpgrade: window('autoUpgrade'), nodeOs: window('nodeOs') };
}

function parseSecurity(security: SpecReader | undefined): ClusterSpec['security'] {
  return {
    runCommand: security?.boolean('runCommand', false) ?? false,
    imageCleanerIntervalHours:
      security?.integer('imageCleanerIntervalHours', limits.imageCleanerHours, defaults.imageCleanerIntervalHours) ?? defaults.imageCleanerIntervalHours,
    ...optional('defender', security?.has('defender') ? security.boolean('defender', true) : undefined),
  };
}

function parseNodePools(spec: SpecReader): NodePoolSpec[] {
  const fallback = defaults.userPool;
  const pools = spec.list('nodePools', { min: 0, max: limits.poolCount.max }, (value, path) => {
    const pool = SpecReader.root(value, path);
    const minCount = pool.integer('minCount', limits.nodeCount, 1);
    const maxCount = pool.integer('maxCount', limits.maxNodeCount, 3);
    if (maxCount < minCount) throw new FieldError(pool.field('maxCount'), `${maxCount} is below ${pool.field('minCount')} (${minCount})`);
    return {
      name: pool.requiredString('name', patterns.nodePoolName),
      field: path,
      vmSize: pool.requiredString('vmSize', patterns.vmSize),
      minCount,
      maxCount,
      maxPods: pool.integer('maxPods', limits.maxPods, defaults.systemPool.maxPods),
      zones: parseZones(pool) ?? [...defaults.systemPool.zones],
      osSku: pool.oneOf('osSku', enums.osSku, defaults.userPoolOsSku),
      labels: pool.stringMap('labels', NODE_LABEL_LIMITS),
      taints: pool.list('taints', { min: 0, max: 20 }, stringItem(patterns.nodeTaint)) ?? [],
      ...optional('hostEncryption', pool.has('hostEncryption') ? pool.boolean('hostEncryption', true) : undefined),
    };
  }) ?? [
    {
      field: 'spec.nodePools[0]',
      ...fallback,
      maxPods: defaults.systemPool.maxPods,
      zones: [...defaults.systemPool.zones],
      osSku: defaults.userPoolOsSku,
      labels: {},
      taints: [],
    },
  ];
  if (pools.length < limits.poolCount.min) {
    throw new FieldError(
      'spec.nodePools',
      'is empty; the system pool runs critical add-ons only (tainted CriticalAddonsOnly, as the AKS baseline asks), so workloads need at least one user pool',
    );
  }
  const seen = new Set<string>([SYSTEM_POOL]);
  for (const pool of pools) {
    if (seen.has(pool.name))
      throw new FieldError(`${pool.field}.name`, `${quote(pool.name)} is already used${pool.name === SYSTEM_POOL ? ' by the system pool' : ''}`);
    seen.add(pool.name);
  }
  // AKS renames a pool to <name>tmp while rotating it (temporaryNameForRotation, aks.ts).
  for (const pool of pools) {
    const rotating = [...seen].find((other) => `${other}tmp` === pool.name);
    if (rotating) throw new FieldError(`${pool.field}.name`, `${quote(pool.name)} is the name pool ${rotating} takes while AKS rotates it`);
  }
  return pools;
}

function parseZones(pool: SpecReader): string[] | undefined {
  const zones = pool.list('zones', { min: 1, max: 3 }, (value, path) => {
    if (typeof value !== 'string' || !(networkEnums.zone as readonly string[]).includes(value))
      throw new FieldError(path, `must be one of ${networkEnums.zone.join(', ')}`);
    return value;
  });
  return zones ? [...new Set(zones)].sort() : undefined;
}

/** Identity names the cluster itself uses; an extra identity may not take them. */
export const RESERVED_IDENTITY_NAMES = ['controlplane', 'externaldns', 'certmanager', 'certpush', 'argocd'];

function parseSharedKeyAccess(access: SpecReader | undefined): ClusterSpec['storage']['sharedKeyAccess'] {
  return Object.fromEntries(STORAGE_PURPOSES.filter((purpose) => access?.has(purpose)).map((purpose) => [purpose, access?.boolean(purpose, false)]));
}

function parseWorkloadIdentities(spec: SpecReader): WorkloadIdentitySpec[] {
  const identities =
    spec.list('workloadIdentities', limits.workloadIdentities, (value, path) => {
      const identity = SpecReader.root(value, path);
      const roles =
        identity.list('roles', limits.rolesPerIdentity, (roleValue, rolePath) => {
          const role = SpecReader.root(roleValue, rolePath);
          const roleName = role.requiredString('role', patterns.roleName);
          const id = role.string('scope', patterns.armScope);
          const resource = role.string('scopeResource');
          if ((id === undefined) === (resource === undefined)) throw new FieldError(rolePath, 'needs exactly one of scope (an Azure ID) or scopeResource');
          if (resource !== undefined && !(enums.symbolicScope as readonly string[]).includes(resource)) {
            throw new FieldError(role.field('scopeResource'), `${quote(resource)} is not one of ${enums.symbolicScope.join(', ')}`);
          }
          const broadScope = role.boolean('broadScope', false);
          const kind = id !== undefined ? scopeKind(id) : resource === 'ResourceGroup' ? 'resourceGroup' : 'resource';
          checkRoleGrant(roleName, kind, broadScope, role.field(id !== undefined ? 'scope' : 'scopeResource'), id);
          const scope: RoleScope = id !== undefined ? { id } : { resource: resource as (typeof enums.symbolicScope)[number] };
          return { role: roleName, scope };
        }) ?? missing(identity.field('roles'));
      return {
        name: identity.requiredString('name', patterns.nodePoolName),
        field: path,
        namespace: identity.requiredString('namespace', patterns.kubernetesName),
        serviceAccount: identity.requiredString('serviceAccount', patterns.kubernetesName),
        roles,
      };
    }) ?? [];
  const seen = new Map<string, string>();
  for (const identity of identities) {
    if (RESERVED_IDENTITY_NAMES.includes(identity.name))
      throw new FieldError(`${identity.field}.name`, `${quote(identity.name)} is reserved for the cluster's own identities`);
    const first = seen.get(identity.name);
    if (first) throw new FieldError(`${identity.field}.name`, `${quote(identity.name)} is already used by ${first}`);
    seen.set(identity.name, identity.field);
  }
  return identities;
}
