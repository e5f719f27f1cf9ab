import { parse } from 'yaml';
import * as kubernetes from '../../../imports/kubernetes.m.crossplane.io.js';
import type { DesiredResources } from '../lib/composition.js';
import { dig } from '../lib/json.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { meta, type Stamp } from '../lib/stamp.js';
import type { NetworkFacts } from './network-input.js';
import { keys } from './naming.js';
import type { ArgoCdSpec, ClusterSpec } from './spec.js';

// Registers the cluster with the management cluster's ArgoCD: a cluster Secret in ArgoCD's
// namespace, written through provider-kubernetes because it lives outside the XR's namespace.
// ArgoCD reaches the private API server as its own workload identity through
// `argocd-k8s-auth azure`, authorised by an Azure RBAC role on the cluster. The reference
// used a cluster-admin ServiceAccount token that never expired.

export const ARGOCD_ROLE = 'Azure Kubernetes Service RBAC Cluster Admin';

export type RegistrationOutcome = { readonly registered: true } | { readonly registered: false; readonly waitingFor: string };

/** The labels K8TRE's ApplicationSets select clusters by; the reference forgot external-domain. */
export function clusterLabels(spec: ClusterSpec, argocd: ArgoCdSpec, network: NetworkFacts): Record<string, string> {
  return {
    'argocd.argoproj.io/secret-type': 'cluster',
    environment: spec.environment,
    vendor: 'azure',
    'external-dns': 'azure',
    'secret-store': 'kubernetes',
    'storage-class': 'azure',
    // Cilium is installed here, not by K8TRE; the Gateway is K8TRE's.
    'skip-cilium': 'true',
    'skip-gateway': 'false',
    region: network.region,
    'external-domain': network.publicDomain,
    ...argocd.labels,
  };
}

export function composeArgoCdRegistration(
  spec: ClusterSpec,
  argocd: ArgoCdSpec,
  stamp: Stamp,
  network: NetworkFacts,
  ciliumDeployed: boolean,
  observed: Observed,
  desired: DesiredResources,
): RegistrationOutcome {
  const clusterId = observed.atProvider(keys.cluster, 'id');
  if (clusterId) {
    desired.set(
      keys.argocdRole,
      roleAssignment(stamp, {
        key: keys.argocdRole,
        role: ARGOCD_ROLE,
        scope: clusterId,
        principalId: argocd.controllerIdentity.principalId,
        why: 'The management ArgoCD deploys K8TRE',
      }),
    );
  }
  // K8TRE needs a CNI before ArgoCD deploys anything (k8tre/k8tre#33).
  if (!ciliumDeployed) return { registered: false, waitingFor: 'Cilium, before ArgoCD deploys anything' };
  const host = observed.atProvider(keys.cluster, 'privateFqdn');
  const caData = certificateAuthority(observed.connectionDetail(keys.cluster, 'kubeconfig'));
  if (!host || !caData) return { registered: false, waitingFor: "the cluster's API server certificate authority, from its connection secret" };

  const config = {
    execProviderConfig: {
      command: 'argocd-k8s-auth',
      args: ['azure'],
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      env: {
        AAD_ENVIRONMENT_NAME: 'AzurePublicCloud',
        AAD_LOGIN_METHOD: 'workloadidentity',
        AZURE_CLIENT_ID: argocd.controllerIdentity.clientId,
        AZURE_TENANT_ID: spec.tenantId,
        AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token',
        AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
      },
    },
    tlsClientConfig: { insecure: false, caData },
  };
  const P = kubernetes.ObjectSpecManagementPolicies;
  desired.set(
    keys.argocdCluster,
    render(kubernetes.Object, {
      metadata: meta(stamp, keys.argocdCluster),
      spec: {
        providerConfigRef: argocd.providerConfigRef,
        managementPolicies: [P.VALUE_ASTERISK],
        forProvider: {
          manifest: {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: `k8tre-${spec.environment}-cluster`, namespace: argocd.namespace, labels: clusterLabels(spec, argocd, network) },
            type: 'Opaque',
            stringData: { name: `k8tre-${spec.environment}`, server: `https://${host}:443`, config: JSON.stringify(config) },
          },
        },
      },
    }),
  );
  return observed.isReady(keys.argocdCluster) ? { registered: true } : { registered: false, waitingFor: 'the ArgoCD cluster secret to be written' };
}

/** The base64 CA bundle from an AKS kubeconfig; public material, unlike the rest of the file. */
export function certificateAuthority(kubeconfig: string | undefined): string | undefined {
  if (!kubeconfig) return undefined;
  try {
    const clusters = dig(parse(kubeconfig), 'clusters');
    const ca = Array.isArray(clusters) ? dig(clusters[0], 'cluster', 'certificate-authority-data') : undefined;
    return typeof ca === 'string' && ca !== '' ? ca : undefined;
  } catch {
    return undefined;
  }
}
