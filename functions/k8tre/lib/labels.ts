// The labels and Azure tags the package puts on what it composes; the labels are also how one XR
// finds what another composed.

export const LABEL_NETWORK = 'azure.k8tre.io/network';
export const LABEL_ENVIRONMENT = 'azure.k8tre.io/environment';
export const LABEL_CLUSTER = 'azure.k8tre.io/cluster';

export const TAG = {
  network: 'k8tre-network',
  cluster: 'k8tre-cluster',
  environment: 'k8tre-environment',
  storage: 'k8tre-storage',
  data: 'k8tre-data',
  managedBy: 'managed-by',
} as const;

/** Every tag every resource gets: which tool manages it. */
export const MANAGED_BY = { [TAG.managedBy]: 'crossplane' } as const;

/** Tag names the package sets; users may not set them (Azure compares tag names without regard to case). */
export const PACKAGE_TAGS: readonly string[] = Object.values(TAG);

/** The most package tags one resource carries (a storage account: cluster, environment, managed-by, storage); test/function/names.test.ts holds it. */
export const PACKAGE_TAGS_PER_RESOURCE = 4;
