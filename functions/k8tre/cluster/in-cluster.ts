import * as helm from '../../../imports/helm.m.crossplane.io.js';
import * as kubernetes from '../../../imports/kubernetes.m.crossplane.io.js';
import { formatCidr } from '../lib/cidr.js';
import type { DesiredResources } from '../lib/composition.js';
import type { Outcome, Wait } from '../lib/waits.js';
import { composedGates } from './gates.js';
import { render, type Manifest } from '../lib/manifest.js';
import { holdOne } from '../lib/hold.js';
import type { Observed } from '../lib/observed.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { dig } from '../lib/json.js';
import { meta, providerConfigRefTo, type Stamp } from '../lib/stamp.js';
import type { ClusterAddressing } from './addressing.js';
import { ciliumRelease, type CiliumRelease } from './cilium-releases.js';
import v120 from '../../../generated/gateway-api/v1.2.0.json' with { type: 'json' };
import v130 from '../../../generated/gateway-api/v1.3.0.json' with { type: 'json' };
import v141 from '../../../generated/gateway-api/v1.4.1.json' with { type: 'json' };
import v161 from '../../../generated/gateway-api/v1.6.1.json' with { type: 'json' };
import { keys } from './naming.js';
import type { ClusterSpec } from './spec.js';

// What goes into the new cluster, through provider-helm and provider-kubernetes running in the
// management cluster. The cluster has no local accounts, so the providers authenticate with
// Entra: their own workload identity (from the management cluster) exchanges its token for an
// AKS token, and an Azure RBAC role on the cluster authorises it. No admin kubeconfig, no token.
//
// Order: the Gateway API CRDs the Cilium release requires first (API definitions need no CNI, and
// Cilium's operator enables Gateway API support only if they all exist when it starts), then
// Cilium, then anything else. A change of Cilium minor waits, with the release as it is, until the
// CRDs its new minor requires are in place.

/** Where the Azure workload identity webhook projects the service account token. */
const FEDERATED_TOKEN_FILE = '/var/run/secrets/azure/tokens/azure-identity-token';
const CLUSTER_ADMIN_ROLE = 'Azure Kubernetes Service RBAC Cluster Admin';
export const CILIUM_REPOSITORY = 'https://helm.cilium.io/';

export type InClusterOutcome = Outcome<{ readonly ciliumDeployed: boolean }>;

interface GatewayApiCrd {
  metadata: { name: string; annotations: Record<string, string> };
  spec: { names: { plural: string } };
}

interface GatewayApiBundle {
  readonly version: string;
  readonly crds: readonly GatewayApiCrd[];
}

/** The CRD bundles of scripts/gateway-api-crds.ts, by Gateway API version. */
const GATEWAY_API_BUNDLES: Readonly<Record<string, GatewayApiBundle>> = {
  [v120.version]: v120,
  [v130.version]: v130,
  [v141.version]: v141,
  [v161.version]: v161,
};
const BUNDLE_VERSION = 'gateway.networking.k8s.io/bundle-version';

export function gatewayApiBundle(release: CiliumRelease): GatewayApiBundle {
  const bundle = GATEWAY_API_BUNDLES[release.gatewayApiVersion];
  if (!bundle) throw new Error(`internal: no Gateway API ${release.gatewayApiVersion} bundle for Cilium ${release.minor}`);
  return bundle;
}

export function composeInCluster(
  spec: ClusterSpec,
  stamp: Stamp,
  addressing: ClusterAddressing,
  ciliumClusterId: number,
  observed: Observed,
  desired: DesiredResources,
): InClusterOutcome {
  // Each step waits for its prerequisites only to be created. Once it exists it stays composed,
  // whatever the prerequisites report: a cluster that is upgrading, or briefly unobserved, must
  // not lose its CNI to a dropped Helm release.
  const exists = (key: string) => observed.has(key);
  const notYet = (wait: Wait): InClusterOutcome => ({ ciliumDeployed: false, waits: [wait] });
  if (!exists(keys.cluster) && !exists(keys.inClusterIdentity)) return notYet(composedGates.aksCluster());

  const identitySecret = `${spec.name}-incluster-identity`;
  desired.set(keys.inClusterIdentity, providerIdentitySecret(spec, stamp, identitySecret));
  desired.set(keys.kubernetesProviderConfig, providerConfig(kubernetes.ProviderConfig, spec, stamp, keys.kubernetesProviderConfig, identitySecret));
  desired.set(keys.helmProviderConfig, providerConfig(helm.ProviderConfig, spec, stamp, keys.helmProviderConfig, identitySecret));

  const clusterId = observed.atProvider(keys.cluster, 'id') ?? stringOrUndefined(observed.forProvider(keys.providerAdminRole, 'scope'));
  if (clusterId) {
    desired.set(
      keys.providerAdminRole,
      roleAssignment(stamp, {
        key: keys.providerAdminRole,
        role: CLUSTER_ADMIN_ROLE,
        scope: clusterId,
        principalId: spec.management.providerIdentity.principalId,
        why: 'Crossplane provider-helm and provider-kubernetes install the cluster baseline',
      }),
    );
  }

  const release = ciliumRelease(spec.ciliumVersion);
  if (!release) throw new Error(`internal: Cilium ${spec.ciliumVersion} passed the spec reader but is not in the release table`);
  const bundle = gatewayApiBundle(release);
  const crds = bundle.crds.map((crd) => ({ crd, key: keys.gatewayApiCrd(crd.spec.names.plural) }));
  const reachable = observed.isReady(keys.cluster) && observed.isReady(keys.providerAdminRole);
  if (!reachable && !crds.some(({ key }) => exists(key))) {
    return notYet(composedGates.clusterReachable(CLUSTER_ADMIN_ROLE));
  }
  for (const { crd, key } of crds) desired.set(key, gatewayApiObject(stamp, key, crd));

  const running = observed.get(keys.cilium);
  const crdsInPlace = crds.every(({ key }) => observed.isReady(key) && appliedBundle(observed, key) === bundle.version);
  const host = observed.atProvider(keys.cluster, 'privateFqdn') ?? stringOrUndefined(dig(running, 'spec', 'forProvider', 'values', 'k8sServiceHost'));
  if (!crdsInPlace || !host) {
    // A running Cilium keeps its release, whose operator reads the CRDs only when it starts.
    if (running) desired.set(keys.cilium, holdOne(observed, keys.cilium));
    return notYet(crdsInPlace ? composedGates.apiServerFqdn() : composedGates.gatewayApiCrds(bundle.version, release.minor));
  }
  desired.set(keys.cilium, ciliumHelmRelease(spec, release, stamp, addressing, ciliumClusterId, host));
  const deployed = observed.isReady(keys.cilium) && dig(running, 'spec', 'forProvider', 'chart', 'version') === spec.ciliumVersion;
  return deployed ? { ciliumDeployed: true, waits: [] } : notYet(composedGates.ciliumDeployed(spec.ciliumVersion));
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The Gateway API bundle version of the CRD a provider-kubernetes Object last applied. */
function appliedBundle(observed: Observed, key: string): unknown {
  return dig(observed.forProvider(key, 'manifest'), 'metadata', 'annotations', BUNDLE_VERSION);
}

/**
 * The identity the providers authenticate as, in the form provider-helm and
 * provider-kubernetes read for AzureWorkloadIdentityCredentials. IDs only: nothing secret.
 */
function providerIdentitySecret(spec: ClusterSpec, stamp: Stamp, name: string): Manifest {
  const credentials = JSON.stringify({
    clientId: spec.management.providerIdentity.clientId,
    tenantId: spec.tenantId,
    federatedTokenFile: FEDERATED_TOKEN_FILE,
    authorityHost: 'https://login.microsoftonline.com/',
  });
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: Object.assign(meta(stamp, keys.inClusterIdentity), { name }),
    type: 'Opaque',
    data: { credentials: Buffer.from(credentials).toString('base64') },
  };
}

type ProviderConfigModel = typeof helm.ProviderConfig | typeof kubernetes.ProviderConfig;

/** A namespaced ProviderConfig that reaches the new cluster with Entra workload identity. */
function providerConfig(model: ProviderConfigModel, spec: ClusterSpec, stamp: Stamp, key: string, identitySecret: string): Manifest {
  return render(model, {
    metadata: meta(stamp, key),
    spec: {
      // The AKS connection secret: an Entra (kubelogin) kubeconfig, since local accounts are off.
      credentials: {
        source: kubernetes.ProviderConfigSpecCredentialsSource.SECRET,
        secretRef: { name: `${spec.name}-aks-connection`, namespace: spec.namespace, key: 'kubeconfig' },
      },
      identity: {
        type: kubernetes.ProviderConfigSpecIdentityType.AZURE_WORKLOAD_IDENTITY_CREDENTIALS,
        source: kubernetes.ProviderConfigSpecIdentitySource.SECRET,
        secretRef: { name: identitySecret, namespace: spec.namespace, key: 'credentials' },
      },
    },
  });
}

/** A Gateway API CRD, created and updated but never deleted: other teams' routes depend on it. */
function gatewayApiObject(stamp: Stamp, key: string, crd: GatewayApiCrd): Manifest {
  const P = kubernetes.ObjectSpecManagementPolicies;
  return render(kubernetes.Object, {
    metadata: meta(stamp, key),
    spec: {
      providerConfigRef: providerConfigRefTo(stamp, keys.kubernetesProviderConfig),
      managementPolicies: [P.OBSERVE, P.CREATE, P.UPDATE, P.LATE_INITIALIZE],
      readiness: {
        policy: kubernetes.ObjectSpecReadinessPolicy.DERIVE_FROM_CEL_QUERY,
        celQuery: "object.status.conditions.exists(c, c.type == 'Established' && c.status == 'True')",
      },
      forProvider: { manifest: crd },
    },
  });
}

/**
 * Cilium for AKS bring-your-own CNI (aksbyocni: cluster-pool IPAM, tunnel routing; the only value
 * Cilium documents for AKS, so no node-init DaemonSet) on the pod pool planned for the cluster. Where the reference passed the API server URL as a host and left
 * the pod pool at a default that overlapped the service CIDR, this passes the bare private FQDN
 * and a pool of its own.
 *
 * Gateway API, which K8TRE's gateway runs on, needs the L7 proxy, a GatewayClass `cilium`
 * (created outright, not only when Helm sees the CRD), and kube-proxy replacement: from 1.19
 * Cilium requires it, while 1.17 and 1.18 also accept NodePort, which the clusters that shipped
 * with them keep. AKS keeps running its own kube-proxy with BYO CNI (turning it off is an AKS
 * preview the provider does not expose); Cilium accepts kube-proxy replacement beside it, and warns
 * that turning replacement on changes the datapath under running connections: the step from 1.18
 * to 1.19 does, so roll nodes afterwards (Documentation/network/kubernetes/kubeproxy-free.rst).
 * With kube-proxy beside NodePort, Cilium's own NodePort health checks must be off (same page).
 */
export function ciliumValues(
  release: CiliumRelease,
  clusterName: string,
  clusterId: number,
  host: string,
  addressing: ClusterAddressing,
): Record<string, unknown> {
  return {
    aksbyocni: { enabled: true },
    cluster: { name: clusterName, id: clusterId },
    k8sServiceHost: host,
    k8sServicePort: 443,
    ...(release.kubeProxyReplacement ? { kubeProxyReplacement: true } : { kubeProxyReplacement: false, nodePort: { enabled: true, enableHealthCheck: false } }),
    ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: [formatCidr(addressing.podCidr)], clusterPoolIPv4MaskSize: 24 } },
    routingMode: 'tunnel',
    tunnelProtocol: 'vxlan',
    enableIPv4Masquerade: true,
    l7Proxy: true,
    gatewayAPI: { enabled: true, gatewayClass: { create: 'true' } },
    hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: true } },
    operator: { replicas: 2 },
  };
}

function ciliumHelmRelease(spec: ClusterSpec, release: CiliumRelease, stamp: Stamp, addressing: ClusterAddressing, clusterId: number, host: string): Manifest {
  return render(helm.Release, {
    metadata: meta(stamp, keys.cilium, { azureName: 'cilium' }),
    spec: {
      providerConfigRef: providerConfigRefTo(stamp, keys.helmProviderConfig),
      forProvider: {
        chart: { name: 'cilium', repository: CILIUM_REPOSITORY, version: spec.ciliumVersion },
        namespace: 'kube-system',
        skipCreateNamespace: true,
        wait: true,
        values: ciliumValues(release, spec.environment, clusterId, host, addressing),
      },
    },
  });
}
