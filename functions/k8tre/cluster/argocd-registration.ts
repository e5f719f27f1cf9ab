import * as kubernetes from '../../../imports/kubernetes.m.crossplane.io.js';
import type { DesiredResources } from '../lib/composition.js';
import type { Outcome, Wait } from '../lib/waits.js';
import { registrationGates } from './gates.js';
import { holdOne } from '../lib/hold.js';
import { dig } from '../lib/json.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { meta, providerConfigRefTo, type Stamp } from '../lib/stamp.js';
import { k8treAnnotations, type RegistrationFacts } from './k8tre-contract.js';
import type { NetworkFacts } from './network-input.js';
import { keys } from './naming.js';
import { type ARGOCD_REQUIRED_LABELS } from './api.js';
import type { ArgoCdSpec, ClusterSpec } from './spec.js';

// Registers the cluster with the management cluster's ArgoCD: a cluster Secret in ArgoCD's
// namespace, written through provider-kubernetes because it lives outside the XR's namespace.
// ArgoCD reaches the private API server as its own workload identity through
// `argocd-k8s-auth azure`, authorised by an Azure RBAC role on the cluster. The reference
// used a cluster-admin ServiceAccount token that never expired.
//
// The Secret needs the API server's CA. Every namespace of a cluster carries it in the
// kube-root-ca.crt ConfigMap, which an observe-only Object reads through the cluster's own
// provider config: no connection secret, so a plan (`npm start`) shows the Secret, and a CA that
// Azure rotates reaches ArgoCD on the next observation.

export const ARGOCD_ROLE = 'Azure Kubernetes Service RBAC Cluster Admin';
/** The ConfigMap Kubernetes publishes the cluster's CA bundle in, in every namespace. */
export const ROOT_CA = { namespace: 'kube-system', name: 'kube-root-ca.crt', key: 'ca.crt' } as const;

/** Registered once ArgoCD's cluster Secret is written; until then, what it waits for. */
export type RegistrationOutcome = Outcome<{ readonly registered: boolean }>;

/**
 * The labels K8TRE's ApplicationSets select clusters by; the reference forgot external-domain.
 * The user's labels add to them and may change the others, never the required ones.
 */
export function clusterLabels(spec: ClusterSpec, argocd: ArgoCdSpec, network: NetworkFacts): Record<string, string> {
  const required: Record<(typeof ARGOCD_REQUIRED_LABELS)[number], string> = {
    'argocd.argoproj.io/secret-type': 'cluster',
    environment: spec.environment,
    'external-domain': network.publicDomain,
    // Cilium is installed here, not by K8TRE.
    'skip-cilium': 'true',
  };
  return {
    vendor: 'azure',
    'external-dns': 'azure',
    'secret-store': 'kubernetes',
    'storage-class': 'azure',
    // The Gateway is K8TRE's.
    'skip-gateway': 'false',
    region: network.region,
    ...argocd.labels,
    ...required,
  };
}

export function composeArgoCdRegistration(
  spec: ClusterSpec,
  argocd: ArgoCdSpec,
  stamp: Stamp,
  facts: RegistrationFacts,
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
  const P = kubernetes.ObjectSpecManagementPolicies;
  if (observed.has(keys.kubernetesProviderConfig) || observed.has(keys.clusterCa)) {
    desired.set(
      keys.clusterCa,
      render(kubernetes.Object, {
        metadata: meta(stamp, keys.clusterCa),
        spec: {
          providerConfigRef: providerConfigRefTo(stamp, keys.kubernetesProviderConfig),
          managementPolicies: [P.OBSERVE],
          forProvider: { manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA.name, namespace: ROOT_CA.namespace } } },
        },
      }),
    );
  }

  // K8TRE needs a CNI before ArgoCD first deploys anything (k8tre/k8tre#33); once registered, the
  // cluster stays registered while Cilium is upgraded.
  const registered = observed.has(keys.argocdCluster);
  const host = observed.atProvider(keys.cluster, 'privateFqdn');
  const ca = observedRootCa(observed);
  // A Secret already registered is held while it waits: dropping it would take the cluster from ArgoCD.
  const wait = (gate: Wait): RegistrationOutcome => {
    if (registered) desired.set(keys.argocdCluster, holdOne(observed, keys.argocdCluster));
    return { registered: false, waits: [gate] };
  };
  if (!ciliumDeployed && !registered) return wait(registrationGates.ciliumBeforeRegistration());
  if (!host || !ca) return wait(registrationGates.rootCa(`${ROOT_CA.namespace}/${ROOT_CA.name}`));

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
    tlsClientConfig: { insecure: false, caData: Buffer.from(ca).toString('base64') },
  };
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
            metadata: {
              name: `k8tre-${spec.environment}-cluster`,
              namespace: argocd.namespace,
              labels: clusterLabels(spec, argocd, facts.network),
              annotations: k8treAnnotations(spec, facts),
            },
            type: 'Opaque',
            stringData: { name: `k8tre-${spec.environment}`, server: `https://${host}:443`, config: JSON.stringify(config) },
          },
        },
      },
    }),
  );
  return observed.isReady(keys.argocdCluster) ? { registered: true, waits: [] } : { registered: false, waits: [registrationGates.secretWritten()] };
}

/** The PEM CA bundle provider-kubernetes observed in kube-root-ca.crt. */
function observedRootCa(observed: Observed): string | undefined {
  const ca = dig(observed.get(keys.clusterCa), 'status', 'atProvider', 'manifest', 'data', ROOT_CA.key);
  return typeof ca === 'string' && ca.includes('BEGIN CERTIFICATE') ? ca : undefined;
}
