// The XK8treCluster API's constants, shared by the XRD (apis/cluster) and the function.
import { armId, patterns as networkPatterns } from '../network/api.js';
import { DEFAULT_MINOR } from './aks-versions.js';
import { CILIUM_RELEASES, CILIUM_VERSION_PATTERN, DEFAULT_CILIUM } from './cilium-releases.js';

export const KIND = 'XK8treCluster';

/** The audience Azure expects on federated Kubernetes service account tokens. */
export const TOKEN_AUDIENCE = 'api://AzureADTokenExchange';

export const patterns = {
  ...networkPatterns,
  uuid: { pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, describe: 'a GUID' },
  kubernetesVersion: { pattern: /^1\.[0-9]{2}$/, describe: 'a Kubernetes minor version such as 1.36 (patches follow the patch upgrade channel)' },
  vmSize: { pattern: /^Standard_[A-Za-z0-9_]{2,40}$/, describe: 'an Azure VM size such as Standard_D4ds_v5' },
  /** AKS pool names are at most 12 characters; 9 leaves room for the `tmp` rotation name. */
  nodePoolName: { pattern: /^[a-z][a-z0-9]{0,8}$/, describe: 'a node pool name: a lowercase letter, then up to 8 lowercase letters or digits' },
  /** Key Vault: 3 to 24 letters, digits and hyphens, starting with a letter, ending with a letter or
   * digit, no two hyphens in a row (https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#vault-name-and-object-name). */
  keyVaultName: {
    pattern: /^[a-zA-Z]([a-zA-Z0-9]-?[a-zA-Z0-9]|-[a-zA-Z0-9])(-?[a-zA-Z0-9]){0,21}$/,
    describe: 'a Key Vault name (3 to 24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit)',
    maxLength: 24,
  },
  storageAccountName: { pattern: /^[a-z0-9]{3,24}$/, describe: 'a storage account name (3 to 24 lowercase letters and digits)' },
  kubernetesName: { pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, describe: 'a Kubernetes name (lowercase letters, digits and hyphens)' },
  roleName: { pattern: /^[A-Za-z][A-Za-z0-9 ()._-]{1,100}$/, describe: 'an Azure built-in role name such as Storage Blob Data Reader' },
  armScope: {
    pattern:
      /^\/subscriptions\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\/resourceGroups\/[-\w.()]{0,89}[-\w()](\/providers\/.+)?)?$/i,
    describe: 'an Azure resource ID (/subscriptions/<GUID>/resourceGroups/<group>/providers/...)',
  },
  dnsZoneId: {
    pattern: armId('Microsoft.Network/dnsZones'),
    describe: 'an Azure public DNS zone ID (/subscriptions/.../providers/Microsoft.Network/dnsZones/NAME)',
  },
  chartVersion: { pattern: /^[0-9]+\.[0-9]+\.[0-9]+$/, describe: 'a chart version such as 8.6.1' },
  image: {
    pattern: /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$/,
    describe: 'a pinned container image such as quay.io/argoproj/argocd:v3.1.8',
  },
  ciliumVersion: {
    pattern: CILIUM_VERSION_PATTERN,
    describe: `a Cilium release of ${CILIUM_RELEASES.map((r) => r.minor).join(', ')} such as ${DEFAULT_CILIUM.patch}`,
  },
  /** A maintenance window's start, in its UTC offset (https://learn.microsoft.com/azure/aks/planned-maintenance). */
  maintenanceStart: { pattern: /^([01][0-9]|2[0-3]):[0-5][0-9]$/, describe: 'a time of day, HH:mm, such as 01:00' },
  utcOffset: { pattern: /^[+-](0[0-9]|1[0-4]):(00|30|45)$/, describe: 'a UTC offset, +HH:mm or -HH:mm, such as +05:30' },
  nodeTaint: {
    pattern: /^[A-Za-z0-9./-]{1,253}(=[A-Za-z0-9._-]{0,63})?:(NoSchedule|PreferNoSchedule|NoExecute)$/,
    describe: 'a taint such as gpu=true:NoSchedule',
  },
} as const;

export const limits = {
  xrName: { pattern: /^[a-z][a-z0-9-]{0,18}[a-z0-9]$/, describe: 'at most 20 lowercase letters, digits or hyphens' },
  nodeCount: { min: 0, max: 1000 },
  /** An autoscaled pool needs a maximum of at least one node. */
  maxNodeCount: { min: 1, max: 1000 },
  /** AKS: "System pools must contain at least two nodes but the recommendation is three nodes"
   * (https://learn.microsoft.com/azure/aks/use-system-pools). One node is kept where it is in force. */
  systemNodeCount: { min: 2, max: 1000 },
  systemNodeCountInForce: { min: 1, max: 1000 },
  /** The system pool runs critical add-ons only, so workloads need a user pool. */
  poolCount: { min: 1, max: 20 },
  maxPods: { min: 30, max: 250 },
  workloadIdentities: { min: 0, max: 50 },
  rolesPerIdentity: { min: 1, max: 20 },
  adminGroups: { min: 1, max: 10 },
  /** Service CIDR: small enough to be cheap, large enough for a TRE's services. */
  servicePrefix: { min: 12, max: 24 },
  podPrefix: { min: 8, max: 20 },
  softDeleteDays: { min: 7, max: 90 },
  /** AKS planned maintenance: a window lasts 4 to 24 hours (https://learn.microsoft.com/azure/aks/planned-maintenance). */
  maintenanceHours: { min: 4, max: 24 },
  /** Image Cleaner runs every 24 hours to 3 months (https://learn.microsoft.com/azure/aks/image-cleaner). */
  imageCleanerHours: { min: 24, max: 2160 },
  /** Cilium's cluster ID is a byte; 0 means "not part of a mesh". */
  ciliumClusterId: { min: 1, max: 255 },
} as const;

export const defaults = {
  kubernetesVersion: DEFAULT_MINOR,
  /** Three nodes across three zones, as the AKS baseline runs its system pool
   * (https://learn.microsoft.com/azure/architecture/reference-architectures/containers/aks/baseline-aks). */
  systemPool: { vmSize: 'Standard_D4ds_v5', minCount: 3, maxCount: 9, maxPods: 110, zones: ['1', '2', '3'] },
  /** The user pool a cluster gets when it names none. */
  userPool: { name: 'user', vmSize: 'Standard_D4ds_v5', minCount: 2, maxCount: 6 },
  userPoolOsSku: 'Ubuntu',
  /** Outside RFC 1918, so no VNet in a typical estate overlaps them; pods are overlay, never routed. */
  serviceCidr: '100.64.0.0/16',
  podCidrCandidates: '100.64.0.0/10',
  podPrefixLength: 14,
  storageReplication: 'LRS',
  keyVaultSoftDeleteDays: 90,
  deletionPolicy: 'Retain',
  ciliumVersion: DEFAULT_CILIUM.patch,
  /**
   * Weekend nights, in the region's time zone (cluster/maintenance.ts): the patch channel's
   * upgrades on Saturday, the node images on Sunday, so that a bad image and a bad patch never
   * land in the same night.
   */
  maintenance: {
    autoUpgrade: { dayOfWeek: 'Saturday', startTime: '01:00', durationHours: 6 },
    nodeOs: { dayOfWeek: 'Sunday', startTime: '01:00', durationHours: 6 },
  },
  /** Weekly, AKS's own default for Image Cleaner. */
  imageCleanerIntervalHours: 168,
  argocdChartVersion: '8.6.1',
  argocdCmpImage: 'quay.io/argoproj/argocd:v3.1.8',
} as const;

/**
 * Node labels: Kubernetes' label syntax (an optional DNS-subdomain prefix, a name of up to 63
 * characters; values of up to 63, possibly empty;
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set),
 * and none under kubernetes.azure.com/, where AKS sets its own (https://learn.microsoft.com/azure/aks/use-labels).
 */
export const NODE_LABEL_LIMITS = {
  maxEntries: 50,
  maxKey: 253,
  maxValue: 63,
  forbiddenKey: { pattern: /^kubernetes\.azure\.com\//i, describe: 'AKS reserves labels under kubernetes.azure.com/' },
  keyPattern: {
    pattern: /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    describe:
      'a Kubernetes label key: an optional lower-case DNS prefix and /, then up to 63 letters, digits, -, _ or ., starting and ending with a letter or digit',
  },
  valuePattern: {
    pattern: /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
    describe: 'a Kubernetes label value: up to 63 letters, digits, -, _ or ., starting and ending with a letter or digit',
  },
} as const;

/**
 * Labels of the ArgoCD cluster Secret that the package sets and users may not override: ArgoCD
 * reads the Secret as a cluster by the first, K8TRE's ApplicationSets select clusters by the
 * environment and domain, and skip-cilium keeps K8TRE from installing a second CNI.
 */
export const ARGOCD_REQUIRED_LABELS = ['argocd.argoproj.io/secret-type', 'environment', 'external-domain', 'skip-cilium'] as const;

export const enums = {
  storageReplication: ['LRS', 'ZRS', 'GRS', 'GZRS', 'RAGRS', 'RAGZRS'],
  osSku: ['Ubuntu', 'AzureLinux'],
  deletionPolicy: ['Retain', 'Delete'],
  role: ['Workload', 'Management'],
  /** Composed resources a workload identity's role can be scoped to by name. */
  symbolicScope: ['ResourceGroup', 'KeyVault', 'CoreStorage', 'WorkspaceStorage'],
  dayOfWeek: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
} as const;

/** Replication that spans zones; moving an account into or out of it replaces the account. */
export const ZONE_REDUNDANT_REPLICATION: readonly string[] = ['ZRS', 'GZRS', 'RAGZRS'];
