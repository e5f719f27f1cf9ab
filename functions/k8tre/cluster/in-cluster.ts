import * as helm from '../../../imports/helm.m.crossplane.io.js';
import * as kubernetes from '../../../imports/kubernetes.m.crossplane.io.js';
import { formatCidr } from '../lib/cidr.js';
import type { DesiredResources } from '../lib/composition.js';
import { render, type Manifest } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { meta, type Stamp } from '../lib/stamp.js';
import type { ClusterAddressing } from './addressing.js';
import gatewayApi from './gateway-api-crds.json' with { type: 'json' };
import { keys } from './naming.js';
import type { ClusterSpec } from './spec.js';

// What goes into the new cluster, through provider-helm and provider-kubernetes running in the
// management cluster. The cluster has no local accounts, so the providers authenticate with
// Entra: their own workload identity (from the management cluster) exchanges its token for an
// AKS token, and an Azure RBAC role on the cluster authorises it. No admin kubeconfig, no token.
//
// Order: the Gateway API CRDs first (API definitions need no CNI, and Cilium enables its
// Gateway API support only if they exist when it starts), then Cilium, then anything else.

/** Where the Azure workload identity webhook projects the service account token. */
const FEDERATED_TOKEN_FILE = '/var/run/secrets/azure/tokens/azure-identity-token';
const CLUSTER_ADMIN_ROLE = 'Azure Kubernetes Service RBAC Cluster Admin';
export const CILIUM_REPOSITORY = 'https://helm.cilium.io/';

export interface InClusterOutcome {
  readonly waitingFor?: string;
  readonly ciliumDeployed: boolean;
}

interface GatewayApiCrd {
  metadata: { name: string };
  spec: { names: { plural: string } };
}

export function composeInCluster(
  spec: ClusterSpec,
  stamp: Stamp,
  addressing: ClusterAddressing,
  ciliumClusterId: number,
  observed: Observed,
  desired: DesiredResources,
): InClusterOutcome {
  if (!observed.has(keys.cluster)) return { waitingFor: 'the AKS cluster, before anything goes into it', ciliumDeployed: false };

  const identitySecret = `${spec.name}-incluster-identity`;
  desired.set(keys.inClusterIdentity, providerIdentitySecret(spec, stamp, identitySecret));
  desired.set(keys.kubernetesProviderConfig, providerConfig(kubernetes.ProviderConfig, spec, stamp, keys.kubernetesProviderConfig, identitySecret));
  desired.set(keys.helmProviderConfig, providerConfig(helm.ProviderConfig, spec, stamp, keys.helmProviderConfig, identitySecret));

  const clusterId = observed.atProvider(keys.cluster, 'id');
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
  if (!observed.isReady(keys.cluster) || !observed.isReady(keys.providerAdminRole)) {
    return { waitingFor: `the cluster to be ready and the management providers' ${CLUSTER_ADMIN_ROLE} role`, ciliumDeployed: false };
  }

  const crds = (gatewayApi.crds as GatewayApiCrd[]).map((crd) => ({ crd, key: keys.gatewayApiCrd(crd.spec.names.plural) }));
  for (const { crd, key } of crds) desired.set(key, gatewayApiObject(stamp, key, crd));
  if (!crds.every(({ key }) => observed.isReady(key)))
    return { waitingFor: `the Gateway API ${gatewayApi.version} CRDs to be established`, ciliumDeployed: false };

  const host = observed.atProvider(keys.cluster, 'privateFqdn');
  if (!host) return { waitingFor: "the cluster's private API server FQDN, for Cilium", ciliumDeployed: false };
  desired.set(keys.cilium, ciliumRelease(spec, stamp, addressing, ciliumClusterId, host));
  const deployed = observed.isReady(keys.cilium);
  return deployed ? { ciliumDeployed: true } : { waitingFor: 'Cilium to be deployed', ciliumDeployed: false };
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
    metadata: { ...meta(stamp, keys.inClusterIdentity), name },
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

const providerConfigRef = (stamp: Stamp, key: string) => ({ kind: 'ProviderConfig', name: `${stamp.xrName}-${key}` });

/** A Gateway API CRD, created and updated but never deleted: other teams' routes depend on it. */
function gatewayApiObject(stamp: Stamp, key: string, crd: GatewayApiCrd): Manifest {
  const P = kubernetes.ObjectSpecManagementPolicies;
  return render(kubernetes.Object, {
    metadata: meta(stamp, key),
    spec: {
      providerConfigRef: providerConfigRef(stamp, keys.kubernetesProviderConfig),
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
 * Cilium for AKS bring-your-own CNI. Where the reference passed the API server URL as a host,
 * left the pod pool at a default that overlapped the service CIDR, and turned kube-proxy
 * replacement on while AKS kept running kube-proxy, this keeps AKS's kube-proxy and runs
 * Cilium alongside it: no kube-proxy replacement, with the NodePort support that Cilium's
 * Gateway API needs enabled on its own.
 */
function ciliumRelease(spec: ClusterSpec, stamp: Stamp, addressing: ClusterAddressing, clusterId: number, host: string): Manifest {
  return render(helm.Release, {
    metadata: meta(stamp, keys.cilium, { azureName: 'cilium' }),
    spec: {
      providerConfigRef: providerConfigRef(stamp, keys.helmProviderConfig),
      forProvider: {
        chart: { name: 'cilium', repository: CILIUM_REPOSITORY, version: spec.ciliumVersion },
        namespace: 'kube-system',
        skipCreateNamespace: true,
        wait: true,
        values: {
          aksbyocni: { enabled: true },
          nodeinit: { enabled: true },
          cluster: { name: spec.environment, id: clusterId },
          k8sServiceHost: host,
          k8sServicePort: 443,
          kubeProxyReplacement: false,
          nodePort: { enabled: true },
          ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: [formatCidr(addressing.podCidr)], clusterPoolIPv4MaskSize: 24 } },
          routingMode: 'tunnel',
          tunnelProtocol: 'vxlan',
          enableIPv4Masquerade: true,
          gatewayAPI: { enabled: true },
          hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: true } },
          operator: { replicas: 2 },
        },
      },
    },
  });
}
