import type { Construct } from 'constructs';
import {
  ARGOCD_REQUIRED_LABELS,
  defaults,
  enums,
  KIND,
  limits,
  ZONE_REDUNDANT_REPLICATION,
  NODE_LABEL_LIMITS,
  patterns,
} from '../../functions/k8tre/cluster/api.js';
import { enums as networkEnums } from '../../functions/k8tre/network/api.js';
import { defaults as monitoringDefaults, enums as monitoringEnums, limits as monitoringLimits } from '../../functions/k8tre/cluster-monitoring/api.js';
import { CILIUM_RELEASES } from '../../functions/k8tre/cluster/cilium-releases.js';
import { NAMING_PRESETS } from '../../functions/k8tre/cluster/naming-preset.js';
import { IDENTITY_ROLES, PRIVILEGED_ROLES } from '../../functions/k8tre/cluster/role-policy.js';
import { CALENDAR_AS_OF, kubernetesVersionRule, kubernetesVersionTransitionRules, SUPPORTED_MINORS } from '../../functions/k8tre/cluster/aks-versions.js';
import { clusterStatusContract } from '../../functions/k8tre/cluster/status.js';
import { statusSchema } from '../../functions/k8tre/lib/contract.js';
import { commonSpecFields, XrdChart } from '../lib/definition.js';
import { array, boolean, celList, celString, cidr, immutable, integer, matching, object, oneOf, re2 } from '../lib/schema.js';

export const PLURAL = 'xk8treclusters';

const zones = array('Availability zones.', oneOf('A zone.', networkEnums.zone), { minItems: 1, maxItems: 3, 'x-kubernetes-list-type': 'set' });
const uuid = (description: string) => matching(description, patterns.uuid, { maxLength: 36 });
const identityRef = (description: string) =>
  object(description, { clientId: uuid('Client ID.'), principalId: uuid('Principal (object) ID.') }, { required: ['clientId', 'principalId'] });

const hostEncryption = boolean(
  'Encrypt the nodes’ temporary disks and disk caches at the host. Unset: on for a new pool, what a live pool has otherwise. Needs a VM size that supports it and the subscription feature Microsoft.Compute/EncryptionAtHost; changing it replaces every node of the pool (rotation).',
);

const nodePool = object(
  'A user node pool.',
  {
    name: matching('Pool name (at most 9 characters, so the rotation name <name>tmp fits).', patterns.nodePoolName, { maxLength: 9 }),
    vmSize: matching('VM size.', patterns.vmSize, { maxLength: 50 }),
    minCount: integer('Autoscale minimum.', limits.nodeCount, { default: 1 }),
    maxCount: integer('Autoscale maximum.', limits.maxNodeCount, { default: 3 }),
    maxPods: integer('Pods per node.', limits.maxPods, { default: defaults.systemPool.maxPods }),
    zones: { ...zones, default: [...defaults.systemPool.zones] },
    osSku: oneOf('Node OS.', enums.osSku, { default: defaults.userPoolOsSku }),
    labels: {
      type: 'object',
      description: 'Kubernetes node labels; not under kubernetes.azure.com/, which AKS reserves.',
      additionalProperties: { type: 'string', maxLength: NODE_LABEL_LIMITS.maxValue, pattern: NODE_LABEL_LIMITS.valuePattern.pattern.source },
      maxProperties: NODE_LABEL_LIMITS.maxEntries,
      'x-kubernetes-validations': [
        { rule: `self.all(k, !k.matches(${celString(re2(NODE_LABEL_LIMITS.forbiddenKey.pattern))}))`, message: NODE_LABEL_LIMITS.forbiddenKey.describe },
      ],
    },
    taints: array('Node taints, e.g. gpu=true:NoSchedule.', matching('A taint.', patterns.nodeTaint, { maxLength: 320 }), { maxItems: 20 }),
    hostEncryption,
  },
  { required: ['name', 'vmSize'], 'x-kubernetes-validations': [{ rule: 'self.maxCount >= self.minCount', message: 'maxCount must be at least minCount' }] },
);

const maintenanceWindow = (description: string, d: (typeof defaults.maintenance)[keyof typeof defaults.maintenance]) =>
  object(
    description,
    {
      dayOfWeek: oneOf('Day of the week.', enums.dayOfWeek, { default: d.dayOfWeek }),
      startTime: matching('Start, HH:mm in utcOffset.', patterns.maintenanceStart, { maxLength: 5, default: d.startTime }),
      durationHours: integer('Length in hours (AKS: 4 to 24).', limits.maintenanceHours, { default: d.durationHours }),
      utcOffset: matching('UTC offset the start is read in, e.g. +05:30. Default: the region’s standard time, else +00:00.', patterns.utcOffset, {
        maxLength: 6,
      }),
    },
    { default: {} },
  );

const workloadIdentity = object(
  'An extra workload identity: a user-assigned identity federated with a service account, and its roles.',
  {
    name: matching('Identity name; the Azure identity is id-<cluster>-<name>.', patterns.nodePoolName, { maxLength: 9 }),
    namespace: matching('Namespace of the service account.', patterns.kubernetesName, { maxLength: 63 }),
    serviceAccount: matching('Service account name.', patterns.kubernetesName, { maxLength: 63 }),
    roles: array(
      'Azure roles granted to the identity.',
      object(
        'A role and its scope: an Azure ID, or one of this cluster’s own resources.',
        {
          role: matching('Built-in role name, e.g. Storage Blob Data Reader.', patterns.roleName, { maxLength: 102 }),
          scope: matching('Azure resource ID to grant the role on.', patterns.armScope, { maxLength: 512 }),
          scopeResource: oneOf('Grant the role on one of this cluster’s resources instead.', enums.symbolicScope),
          broadScope: boolean(
            'Allow a data-plane role (Storage Blob Data Reader, Key Vault Secrets User, ...) on a whole resource group or subscription, which reaches every store there.',
          ),
        },
        {
          required: ['role'],
          'x-kubernetes-validations': [
            { rule: 'has(self.scope) != has(self.scopeResource)', message: 'set exactly one of scope or scopeResource' },
            {
              rule: `!(self.role.lowerAscii() in ${celList(PRIVILEGED_ROLES)}) || (has(self.scopeResource) && self.scopeResource != 'ResourceGroup') || (has(self.scope) && !self.scope.matches('(?i)^/subscriptions/[^/]+(/resourceGroups/[^/]+)?/?$'))`,
              message: 'a privileged role (Owner, Contributor, access administration) only on one resource',
            },
            {
              rule: `!(self.role.lowerAscii() in ${celList(IDENTITY_ROLES)})`,
              message: 'roles that federate or assign managed identities are not allowed for a workload identity',
            },
          ],
        },
      ),
      { minItems: limits.rolesPerIdentity.min, maxItems: limits.rolesPerIdentity.max },
    ),
  },
  { required: ['name', 'namespace', 'serviceAccount', 'roles'] },
);

const spec = object(
  'One K8TRE environment cluster: a private AKS cluster with BYO CNI, its Key Vault and storage behind private endpoints, and the identities K8TRE needs.',
  {
    environment: immutable(
      matching('The environment this cluster serves; must be one of the network’s environments. Fixed once created.', patterns.environmentName, {
        maxLength: 12,
      }),
      'environment cannot change: the cluster lives in that spoke, and AKS moves no cluster to another subnet; create a cluster for the other environment',
    ),
    networkRef: object(
      'The XK8treNetwork (same namespace) the cluster lives in.',
      { name: matching('Its name.', patterns.kubernetesName, { maxLength: 63 }) },
      { required: ['name'] },
    ),
    naming: immutable(
      oneOf(
        'Default names. Unique (default): rg-<xr>-aks, rg-<xr>-data, kv-<xr>-<hash>, st<xr><core|ws><hash>, never colliding between tenants. K8TRE: the names an unmodified K8TRE reads (its rwx-default storage class mounts stgk8trecore<env> in rg-k8tre-<env>-uks-aks), with stgk8treworkspace<env>, <env>-k8tre-kv and rg-k8tre-<env>-uks-cluster; global names, so one platform per environment name. Explicit names below win. Choose at creation: renaming a store makes a new, empty one.',
        NAMING_PRESETS,
        { default: 'Unique' },
      ),
      'naming cannot change: it renames the data stores, and a new name is a new, empty store',
    ),
    resourceGroupName: matching('Resource group for the cluster, its identities and endpoints. Default from spec.naming.', patterns.resourceGroupName, {
      maxLength: 90,
    }),
    dataResourceGroupName: matching(
      'Resource group for the Key Vault and storage accounts, retained with them: the provider deletes no group that still holds resources, so they cannot share the cluster’s. Default from spec.naming.',
      patterns.resourceGroupName,
      { maxLength: 90 },
    ),
    ...commonSpecFields,
    tenantId: immutable(
      uuid('Entra tenant ID. Fixed once created.'),
      'tenantId cannot change: the cluster, its identities and its stores belong to the tenant',
    ),
    adminGroupObjectIds: array('Entra groups that are cluster admins (Entra RBAC; local accounts are disabled).', uuid('Group object ID.'), {
      minItems: limits.adminGroups.min,
      maxItems: limits.adminGroups.max,
      'x-kubernetes-list-type': 'set',
    }),
    kubernetesVersion: matching(
      `Kubernetes minor version: one AKS supports (${SUPPORTED_MINORS.join(', ')} on ${CALENDAR_AS_OF}); default the newest. Patches follow the patch channel. A cluster already running a minor past its end of life keeps it until upgraded.`,
      patterns.kubernetesVersion,
      {
        maxLength: 5,
        default: defaults.kubernetesVersion,
        'x-kubernetes-validations': [kubernetesVersionRule(), ...kubernetesVersionTransitionRules()],
      },
    ),
    networking: object(
      'Cluster-internal address spaces. Neither may overlap the other or any range of the network.',
      {
        serviceCidr: immutable(
          cidr('Kubernetes service range; the DNS service takes its .10 address. Fixed once created.', limits.servicePrefix, { default: defaults.serviceCidr }),
          'serviceCidr cannot change: AKS fixes it when the cluster is created',
        ),
        podCidr: immutable(
          cidr(
            `Cilium pod pool. Default: the first free /${defaults.podPrefixLength} of ${defaults.podCidrCandidates}, then kept. Fixed once set.`,
            limits.podPrefix,
          ),
          'podCidr cannot change: running pods have addresses from it',
        ),
      },
      {
        // Defaulted as a whole, so that serviceCidr's default is stored at admission and its
        // transition rule refuses a later change there too; unset, the rule would see no old value.
        default: {},
      },
    ),
    systemPool: object(
      'The system node pool: AzureLinux, autoscaled, at least two nodes (three by default) across zones, critical add-ons only (tainted CriticalAddonsOnly).',
      {
        vmSize: matching('VM size.', patterns.vmSize, { maxLength: 50, default: defaults.systemPool.vmSize }),
        minCount: integer('Autoscale minimum.', limits.systemNodeCount, { default: defaults.systemPool.minCount }),
        maxCount: integer('Autoscale maximum.', limits.systemNodeCount, { default: defaults.systemPool.maxCount }),
        maxPods: integer('Pods per node.', limits.maxPods, { default: defaults.systemPool.maxPods }),
        zones: { ...zones, default: [...defaults.systemPool.zones] },
        hostEncryption,
      },
      { 'x-kubernetes-validations': [{ rule: 'self.maxCount >= self.minCount', message: 'maxCount must be at least minCount' }] },
    ),
    nodePools: array(
      `User node pools: at least one, since the system pool runs critical add-ons only. Default one pool, ${defaults.userPool.name} (${defaults.userPool.vmSize}, ${defaults.userPool.minCount} to ${defaults.userPool.maxCount} nodes).`,
      nodePool,
      {
        minItems: limits.poolCount.min,
        maxItems: limits.poolCount.max,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        default: [{ ...defaults.userPool }],
      },
    ),
    maintenance: object(
      'When AKS may upgrade: weekly windows for the patch channel and the node images. Default weekend nights in the region’s time zone.',
      {
        autoUpgrade: maintenanceWindow('Window for Kubernetes patch upgrades.', defaults.maintenance.autoUpgrade),
        nodeOs: maintenanceWindow('Window for node image upgrades.', defaults.maintenance.nodeOs),
      },
      { default: {} },
    ),
    security: object(
      'AKS posture beyond privacy.',
      {
        runCommand: boolean('Allow az aks command invoke, a path around Kubernetes RBAC and audit. Default false.', { default: false }),
        imageCleanerIntervalHours: integer('How often Image Cleaner removes unused images from nodes.', limits.imageCleanerHours, {
          default: defaults.imageCleanerIntervalHours,
        }),
        defender: boolean(
          'Defender for Containers (the AKS security profile), reporting to the network’s Log Analytics workspace. Unset, on where the network has monitoring. Defender for Cloud’s Containers plan must be on in the subscription.',
        ),
      },
      { default: {} },
    ),
    monitoring: object(
      'Platform monitoring into the network’s workspaces: managed Prometheus, Container Insights, control-plane, Key Vault and storage diagnostics, and alerts to the network’s action group.',
      {
        enabled: boolean('Unset, on where the network has monitoring; true where it has none is refused.'),
        containerInsights: object(
          'Container logs, Kubernetes events and pod inventory into the Log Analytics workspace. Default the cost-optimized preset.',
          {
            enabled: boolean('Default true.', { default: true }),
            intervalMinutes: integer('How often inventory is collected.', monitoringLimits.collectionIntervalMinutes, {
              default: monitoringDefaults.collectionIntervalMinutes,
            }),
            namespaceFilteringMode: oneOf('Which namespaces the filter keeps.', monitoringEnums.namespaceFilteringMode, {
              default: monitoringDefaults.namespaceFilteringMode,
            }),
            namespaces: array('The namespaces the filter names. Default AKS’s own add-ons’.', matching('A namespace.', patterns.kubernetesName), {
              maxItems: monitoringLimits.namespaces.max,
              default: [...monitoringDefaults.namespaces],
            }),
          },
          { default: {} },
        ),
        alerts: boolean('Microsoft’s recommended Prometheus alert rules, and node-readiness and Key Vault availability alerts. Default true.', {
          default: true,
        }),
      },
      { default: {} },
    ),
    keyVault: object('The cluster’s Key Vault: RBAC, purge protection, no public access, a private endpoint.', {
      name: matching('Globally unique name. Default from spec.naming.', patterns.keyVaultName, { maxLength: 24 }),
      softDeleteRetentionDays: integer('Soft-delete retention.', limits.softDeleteDays, { default: defaults.keyVaultSoftDeleteDays }),
    }),
    storage: object('The workspace and core storage accounts (StorageV2, HNS, TLS 1.2, no public access, private endpoints).', {
      replication: oneOf(
        'Replication. Changes within zone-redundant (ZRS, GZRS, RAGZRS) or the rest happen in place; between them only by replacing the account, so they are refused (have Azure convert the account, then set what it has).',
        enums.storageReplication,
        {
          default: defaults.storageReplication,
          'x-kubernetes-validations': [
            {
              rule: `(oldSelf in ${celList(ZONE_REDUNDANT_REPLICATION)}) == (self in ${celList(ZONE_REDUNDANT_REPLICATION)})`,
              messageExpression: `'replication cannot move between zone-redundant and not, from ' + oldSelf + ': only by replacing the account, empty; have Azure convert it first'`,
            },
          ],
        },
      ),
      accountNames: object('Globally unique names. Default from spec.naming.', {
        workspace: matching('Workspace account name.', patterns.storageAccountName, { maxLength: 24 }),
        core: matching('Core account name (K8TRE’s rwx-default storage class uses it).', patterns.storageAccountName, { maxLength: 24 }),
      }),
      sharedKeyAccess: object(
        'Which accounts take Shared Key requests; the kubelet identity gets Storage Account Contributor, which lists the keys, on those only. Unset: what the account has in force, else core true (K8TRE’s rwx-default class mounts Azure Files from it with the key) and workspace false. Everything else reaches the accounts with Entra ID.',
        {
          core: boolean('Whether the core account takes Shared Key.'),
          workspace: boolean('Whether the workspace account takes Shared Key.'),
        },
      ),
    }),
    certManager: object(
      'cert-manager’s DNS-01 identity.',
      { publicDnsZoneId: matching('The public Azure DNS zone it gets DNS Zone Contributor on.', patterns.dnsZoneId, { maxLength: 512 }) },
      { required: ['publicDnsZoneId'] },
    ),
    workloadIdentities: array('Extra workload identities.', workloadIdentity, {
      maxItems: limits.workloadIdentities.max,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    management: object(
      'How the management cluster reaches this one.',
      {
        providerIdentity: identityRef(
          'The workload identity provider-helm and provider-kubernetes run as in the management cluster. It gets Azure Kubernetes Service RBAC Cluster Admin on this cluster.',
        ),
        argocd: object(
          'Register this cluster with the management cluster’s ArgoCD. ArgoCD authenticates as its own workload identity (argocd-k8s-auth azure), which gets Azure Kubernetes Service RBAC Cluster Admin here.',
          {
            namespace: matching('ArgoCD’s namespace.', patterns.kubernetesName, { maxLength: 63, default: 'argocd' }),
            controllerIdentity: identityRef('The identity ArgoCD’s application controller runs as.'),
            providerConfigRef: object(
              'provider-kubernetes config for the management cluster itself, where the cluster Secret is written.',
              {
                kind: oneOf('Kind.', networkEnums.providerConfigKind, { default: 'ClusterProviderConfig' }),
                name: matching('Name.', patterns.kubernetesName, { maxLength: 63 }),
              },
              { required: ['name'] },
            ),
            labels: {
              type: 'object',
              description: `Extra cluster-secret labels, or other values for vendor, external-dns, secret-store, storage-class, skip-gateway and region. ${ARGOCD_REQUIRED_LABELS.join(', ')} are the package's.`,
              additionalProperties: { type: 'string', maxLength: 63 },
              maxProperties: 30,
              'x-kubernetes-validations': [
                {
                  rule: `self.all(k, !(k in ${celList(ARGOCD_REQUIRED_LABELS)}))`,
                  message: `${ARGOCD_REQUIRED_LABELS.join(', ')} are set by the package: ArgoCD or K8TRE select clusters by them`,
                },
              ],
            },
          },
          { required: ['controllerIdentity', 'providerConfigRef'] },
        ),
      },
      { required: ['providerIdentity'] },
    ),
    cilium: object('Cilium, installed as the cluster’s CNI.', {
      version: matching(
        `Chart version, a patch of ${CILIUM_RELEASES.map((r) => r.minor).join(', ')}; default ${defaults.ciliumVersion}. Each minor gets the Gateway API CRDs its operator requires, installed before it. Upgrade one minor at a time.`,
        patterns.ciliumVersion,
        { maxLength: 8, default: defaults.ciliumVersion },
      ),
      clusterId: integer('Cilium cluster ID, unique among meshed clusters. Default: the environment’s routing slot in the network.', limits.ciliumClusterId),
    }),
    role: oneOf('Workload (default), or Management: this cluster also hosts the ArgoCD that registers and deploys to the workload clusters.', enums.role, {
      default: 'Workload',
    }),
    argocdServer: object('The ArgoCD a Management cluster hosts.', {
      hostname: matching('ArgoCD’s host on the cluster gateway. Default argocd.<environment domain>.', patterns.dnsName),
      chartVersion: matching('argo-cd Helm chart version.', patterns.chartVersion, { maxLength: 20, default: defaults.argocdChartVersion }),
      cmpImage: matching('Image of the K8TRE CMP plugin sidecar (an ArgoCD image, pinned).', patterns.image, {
        maxLength: 200,
        default: defaults.argocdCmpImage,
      }),
      entraProviderConfigRef: object('provider-azuread config for ArgoCD’s Entra application.', {
        kind: oneOf('Kind.', networkEnums.providerConfigKind, { default: 'ClusterProviderConfig' }),
        name: matching('Name.', patterns.kubernetesName, { maxLength: 63, default: 'default' }),
      }),
    }),
    deletionPolicy: oneOf(
      'Retain (default) keeps the Key Vault, the storage accounts and their resource group when the XR is deleted; Delete removes them.',
      enums.deletionPolicy,
      {
        default: defaults.deletionPolicy,
      },
    ),
  },
  {
    required: ['environment', 'networkRef', 'tenantId', 'adminGroupObjectIds', 'certManager', 'management'],
    'x-kubernetes-validations': [
      { rule: "has(self.role) && self.role == 'Management' || !has(self.argocdServer)", message: 'argocdServer applies only to role Management' },
    ],
  },
);

export class ClusterDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: KIND,
      plural: PLURAL,
      spec,
      status: statusSchema(clusterStatusContract),
      printerColumns: [
        { name: 'Environment', jsonPath: '.spec.environment' },
        { name: 'Version', jsonPath: '.spec.kubernetesVersion' },
        { name: 'FQDN', jsonPath: '.status.aks.privateFqdn' },
      ],
    });
  }
}
