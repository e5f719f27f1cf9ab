import { gates } from '../lib/waits.js';

// Every gate of an XK8treCluster's composers: what each waits for before composing part of what
// it owns, in the words its condition says. test/function/cluster-gates.test.ts shuts each in
// turn and finds it told; a gate added here without a case there fails that test.

/** Gates that hold back `NetworkReady`: nothing is composed from guesses until the network reports what the cluster needs. */
export const networkGates = gates(
  'cluster',
  'NetworkReady',
  {
    networkFetched: (network: string) => `Crossplane to fetch ${network}`,
    networkReported: (network: string, missing: readonly string[], environment: string) => `${network} to report ${missing.join(', ')} for ${environment}`,
  },
  'WaitingForNetwork',
);

/** Gates that hold back `Composed`. */
export const composedGates = gates('cluster', 'Composed', {
  controlPlaneRoles: () => "the control-plane identity's Network Contributor and Private DNS Zone Contributor roles",
  ciliumBeforeArgoCd: () => 'Cilium, before ArgoCD',
  argocdClientIds: () => "the ArgoCD application's and controller identity's client IDs",
  argocdDeployed: () => 'ArgoCD to be deployed',
  oidcIssuer: () => "the cluster's OIDC issuer, for the workload identity federations",
  kubeletIdentity: () => 'the kubelet identity, for the storage roles',
  storageIds: () => "the data stores' storage account IDs, for the kubelet identity's storage roles",
  secretsProviderIdentity: () => "the Key Vault Secrets Provider add-on's identity, for its Key Vault Secrets User role",
  keyVaultId: (resourceGroup: string) => `the resource group ${resourceGroup}'s ID, for the data stores' roles`,
  storesOrphaning: () => "the data stores' resources to be observed without Delete in their management policies, before their XK8treDataStores takes them over",
  storesPaused: () => 'the paused XK8treDataStores to be observed with every store, before it takes them over',
  storesResourceGroup: (resourceGroup: string) => `the resource group ${resourceGroup}, before the data stores' endpoints`,
  identitiesOrphaning: () =>
    "the workload identities' resources to be observed without Delete in their management policies, before their XK8treWorkloadIdentities take them over",
  identitiesPaused: () => 'the paused XK8treWorkloadIdentities to be observed with every name, before they take their resources over',
  identitiesResourceGroup: (resourceGroup: string) => `the resource group ${resourceGroup}, before the workload identities`,
  aksCluster: () => 'the AKS cluster, before anything goes into it',
  clusterReachable: (role: string) => `the cluster to be ready and the management providers' ${role} role`,
  gatewayApiCrds: (version: string, ciliumMinor: string) => `the Gateway API ${version} CRDs Cilium ${ciliumMinor} requires to be established`,
  apiServerFqdn: () => "the cluster's private API server FQDN, for Cilium",
  ciliumDeployed: (version: string) => `Cilium ${version} to be deployed`,
  aksIdForMonitoring: () => "the AKS cluster's ID, for its monitoring",
});

/** Gates that hold back `ArgoCDRegistered`. */
export const registrationGates = gates('cluster', 'ArgoCDRegistered', {
  ciliumBeforeRegistration: () => 'Cilium, before ArgoCD deploys anything',
  rootCa: (configMap: string) => `the cluster's API server certificate authority, from ${configMap}`,
  secretWritten: () => 'the ArgoCD cluster secret to be written',
});
