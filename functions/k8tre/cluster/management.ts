import { stringify } from 'yaml';
import { Application, FederatedIdentityCredential as ApplicationFederatedCredential } from '../../../imports/applications.azuread.m.upbound.io.js';
import * as helm from '../../../imports/helm.m.crossplane.io.js';
import { Principal } from '../../../imports/serviceprincipals.azuread.m.upbound.io.js';
import type { DesiredResources } from '../lib/composition.js';
import type { Outcome } from '../lib/waits.js';
import { composedGates } from './gates.js';
import { render } from '../lib/manifest.js';
import { holdOne } from '../lib/hold.js';
import type { Observed } from '../lib/observed.js';
import { meta, providerConfigRefTo, refTo, type Stamp } from '../lib/stamp.js';
import { TOKEN_AUDIENCE } from './api.js';
import type { NetworkFacts } from './network-input.js';
import { keys } from './naming.js';
import type { ArgoCdServerSpec, ClusterSpec } from './spec.js';

// The management role: the same cluster, plus the ArgoCD that registers and deploys to every
// environment. ArgoCD signs users in with Entra (an application with a federated credential,
// so no client secret) and reaches workload clusters as its controller's workload identity.

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const GRAPH_USER_READ = 'e1fe6dd8-ba31-4d61-89e7-88639da4683d';
export const ARGOCD_NAMESPACE = 'argocd';
/**
 * ArgoCD's application controller reaches the clusters as this identity, and so does its server
 * (live state, logs, exec): the `argocd-k8s-auth azure` exec in each cluster Secret runs in both,
 * with the token of the pod's own service account.
 */
export const ARGOCD_IDENTITY = {
  name: 'argocd',
  namespace: ARGOCD_NAMESPACE,
  serviceAccount: 'argocd-application-controller',
  alsoServiceAccounts: ['argocd-server'],
  roles: [],
};
const ARGO_HELM = 'https://argoproj.github.io/argo-helm';
const CMP_PLUGIN = 'kustomize-with-envsubst';

export type ManagementOutcome = Outcome<{ readonly url: string; readonly applicationClientId?: string }>;

export function argocdHost(server: ArgoCdServerSpec, network: NetworkFacts): string {
  return server.hostname ?? `argocd.${network.publicDomain}`;
}

export function composeManagement(
  spec: ClusterSpec,
  server: ArgoCdServerSpec,
  stamp: Stamp,
  network: NetworkFacts,
  ciliumDeployed: boolean,
  /** The client ID of ArgoCD's workload identity (ARGOCD_IDENTITY), once Azure reports it. */
  controllerClientId: string | undefined,
  observed: Observed,
  desired: DesiredResources,
): ManagementOutcome {
  const host = argocdHost(server, network);
  const url = `https://${host}`;
  const entraProviderConfigRef = server.entraProviderConfigRef;
  const claim = [{ name: 'groups', essential: false }];

  desired.set(
    keys.argocdApplication,
    render(Application, {
      metadata: meta(stamp, keys.argocdApplication),
      spec: {
        providerConfigRef: entraProviderConfigRef,
        forProvider: {
          // Unique per deployment: the reference's fixed "argocd" collided between installations.
          displayName: `k8tre-argocd-${spec.namespace}-${spec.name}`,
          signInAudience: 'AzureADMyOrg',
          groupMembershipClaims: ['All', 'ApplicationGroup', 'SecurityGroup'],
          optionalClaims: { idToken: claim, accessToken: claim, saml2Token: claim },
          requiredResourceAccess: [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: GRAPH_USER_READ, type: 'Scope' }] }],
          api: { requestedAccessTokenVersion: 2 },
          web: {
            redirectUris: [`${url}/auth/callback`],
            logoutUrl: `${url}/auth/logout`,
            implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false },
          },
        },
      },
    }),
  );
  desired.set(
    keys.argocdServicePrincipal,
    render(Principal, {
      metadata: meta(stamp, keys.argocdServicePrincipal),
      spec: { providerConfigRef: entraProviderConfigRef, forProvider: { clientIdRef: refTo(stamp, keys.argocdApplication) } },
    }),
  );

  const issuer = observed.atProvider(keys.cluster, 'oidcIssuerUrl');
  if (issuer) {
    desired.set(
      keys.argocdApplicationFederation,
      render(ApplicationFederatedCredential, {
        metadata: meta(stamp, keys.argocdApplicationFederation),
        spec: {
          providerConfigRef: entraProviderConfigRef,
          forProvider: {
            applicationIdRef: refTo(stamp, keys.argocdApplication),
            displayName: 'argocd-server',
            audiences: [TOKEN_AUDIENCE],
            issuer,
            subject: `system:serviceaccount:${ARGOCD_NAMESPACE}:argocd-server`,
          },
        },
      }),
    );
  }

  const applicationClientId = observed.atProvider(keys.argocdApplication, 'clientId');
  const outcome = (waits: ManagementOutcome['waits']) => ({ url, ...(applicationClientId && { applicationClientId }), waits });
  // ArgoCD needs a CNI before it is first installed (k8tre/k8tre#33), and the IDs it is configured
  // with. Once installed it stays: a Cilium upgrade must not uninstall it.
  const installed = observed.has(keys.argocdRelease);
  if (!applicationClientId || !controllerClientId || (!ciliumDeployed && !installed)) {
    if (installed) desired.set(keys.argocdRelease, holdOne(observed, keys.argocdRelease));
    return outcome([!ciliumDeployed && !installed ? composedGates.ciliumBeforeArgoCd() : composedGates.argocdClientIds()]);
  }

  desired.set(keys.argocdRelease, argocdRelease(spec, server, stamp, host, applicationClientId, controllerClientId));
  return outcome(observed.isReady(keys.argocdRelease) ? [] : [composedGates.argocdDeployed()]);
}

function argocdRelease(spec: ClusterSpec, server: ArgoCdServerSpec, stamp: Stamp, host: string, applicationClientId: string, controllerClientId: string) {
  const workloadIdentity = (clientId: string) => ({
    podLabels: { 'azure.workload.identity/use': 'true' },
    serviceAccount: { annotations: { 'azure.workload.identity/client-id': clientId } },
  });
  const oidc = {
    name: 'Azure',
    issuer: `https://login.microsoftonline.com/${spec.tenantId}/v2.0`,
    clientID: applicationClientId,
    azure: { useWorkloadIdentity: true },
    requestedIDTokenClaims: { groups: { essential: true } },
    requestedScopes: ['openid', 'profile', 'email'],
  };
  const policy = [
    'p, role:org-admin, applications, *, */*, allow',
    'p, role:org-admin, clusters, *, *, allow',
    ...['get', 'create', 'update', 'delete'].map((action) => `p, role:org-admin, repositories, ${action}, *, allow`),
    ...spec.adminGroupObjectIds.map((group) => `g, ${group}, role:org-admin`),
  ];
  return render(helm.Release, {
    metadata: meta(stamp, keys.argocdRelease, { azureName: 'argocd' }),
    spec: {
      providerConfigRef: providerConfigRefTo(stamp, keys.helmProviderConfig),
      forProvider: {
        chart: { name: 'argo-cd', repository: ARGO_HELM, version: server.chartVersion },
        namespace: ARGOCD_NAMESPACE,
        values: {
          global: { domain: host },
          configs: {
            cm: {
              url: `https://${host}`,
              'admin.enabled': false,
              'kustomize.buildOptions': '--enable-helm --load-restrictor LoadRestrictionsNone',
              'application.resourceTrackingMethod': 'annotation',
              'oidc.config': stringify(oidc),
            },
            // TLS ends at the cluster's gateway, which routes plain HTTP to the server.
            params: { 'server.insecure': true },
            rbac: { 'policy.default': 'role:readonly', 'policy.csv': `${policy.join('\n')}\n`, scopes: '[groups, email]' },
          },
          server: workloadIdentity(applicationClientId),
          controller: workloadIdentity(controllerClientId),
          repoServer: cmpRepoServer(server.cmpImage),
          extraObjects: [cmpPluginConfigMap(), httpRoute(host)],
        },
      },
    },
  });
}

/**
 * The argo-cd chart's repoServer values that run K8TRE's CMP as a sidecar. The management
 * cluster's bootstrap ArgoCD (examples/gitops/bootstrap/argocd-values.yaml) carries the same,
 * and a test holds the two together.
 */
export function cmpRepoServer(image: string) {
  return {
    extraContainers: [cmpSidecar(image)],
    volumes: [
      { name: 'cmp-plugin', configMap: { name: 'cmp-plugin' } },
      { name: 'cmp-tmp', emptyDir: {} },
    ],
  };
}

/**
 * K8TRE's kustomize-with-envsubst plugin: kustomize, then the placeholders K8TRE's manifests
 * use replaced with the ApplicationSet's ENVIRONMENT and DOMAIN. An escaped `\$` keeps a
 * placeholder literal for the shell; the ARGOCD_ENV_ variables are expanded by it.
 */
export function cmpPluginConfigMap() {
  const sed = [
    's/\\${ENVIRONMENT}/${ARGOCD_ENV_ENVIRONMENT}/g',
    's/\\${DOMAIN}/${ARGOCD_ENV_DOMAIN}/g',
    's/\\.ENVIRONMENT\\./.${ARGOCD_ENV_ENVIRONMENT}./g',
    's/\\.DOMAIN/.${ARGOCD_ENV_DOMAIN}/g',
    's/^ENVIRONMENT$/${ARGOCD_ENV_ENVIRONMENT}/',
    's/^DOMAIN$/${ARGOCD_ENV_DOMAIN}/',
  ];
  const plugin = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ConfigManagementPlugin',
    metadata: { name: CMP_PLUGIN },
    spec: {
      version: 'v1.0',
      generate: {
        command: ['sh', '-c'],
        args: [`kustomize build --enable-helm --load-restrictor LoadRestrictionsNone . | sed ${sed.map((e) => `-e "${e}"`).join(' ')}`],
      },
    },
  };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cmp-plugin', namespace: ARGOCD_NAMESPACE }, data: { 'plugin.yaml': stringify(plugin) } };
}

function cmpSidecar(image: string) {
  return {
    name: 'cmp-kustomize-envsubst',
    image,
    command: ['/var/run/argocd/argocd-cmp-server'],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 999,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: 'var-files', mountPath: '/var/run/argocd' },
      { name: 'plugins', mountPath: '/home/argocd/cmp-server/plugins' },
      { name: 'cmp-tmp', mountPath: '/tmp' },
      { name: 'cmp-plugin', mountPath: '/home/argocd/cmp-server/config/plugin.yaml', subPath: 'plugin.yaml' },
    ],
  };
}

/** ArgoCD behind K8TRE's internal gateway, instead of the reference's port-forward. */
function httpRoute(host: string) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'argocd-server', namespace: ARGOCD_NAMESPACE },
    spec: {
      parentRefs: [{ name: 'internal-gateway', namespace: 'gateway', sectionName: 'https' }],
      hostnames: [host],
      rules: [{ backendRefs: [{ name: 'argocd-server', port: 80 }] }],
    },
  };
}
