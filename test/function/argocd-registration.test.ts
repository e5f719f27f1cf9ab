import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { K8TRE_ANNOTATIONS } from '../../functions/k8tre/cluster/k8tre-contract.js';
import { SIMULATED_CA } from '../../scripts/lib/reconcile.js';
import { desired, desiredNames, runWithRequired, settledDevCluster, storesOf, type Json } from '../support/function.js';

// Registration with the management ArgoCD: a cluster Secret whose CA comes from the cluster's own
// kube-system/kube-root-ca.crt, read by an observe-only Object, so no connection secret is needed.
// In-process, to edit what the providers report; the render tests hold it through the CLI.

const settled = settledDevCluster();
const required = settled.required;

type ClusterSecret = {
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  stringData: { server: string; config: string };
};
const secretOf = (rsp: ReturnType<typeof runWithRequired>) =>
  desired(rsp, 'argocd-cluster-secret') as { spec: { providerConfigRef: unknown; forProvider: { manifest: ClusterSecret } } };
const caDataOf = (rsp: ReturnType<typeof runWithRequired>) =>
  (JSON.parse(secretOf(rsp).spec.forProvider.manifest.stringData.config) as { tlsClientConfig: { caData: string } }).tlsClientConfig.caData;
/** The observed CA Object with `data` as the cluster reports it. */
const withCa = (data: Json | undefined): Record<string, Json> => {
  const observed = structuredClone(settled.observed);
  const atProvider = (observed['cluster-root-ca']!.status as { atProvider: { manifest: Json } }).atProvider;
  if (data === undefined) delete atProvider.manifest.data;
  else atProvider.manifest.data = data;
  return observed;
};

describe('registration with the management ArgoCD', () => {
  it("reads the cluster's CA through an observe-only Object on its own provider config", () => {
    const object = desired(runWithRequired(settled.xr, required, settled.observed), 'cluster-root-ca') as { spec: Json };
    expect(object.spec).toEqual({
      providerConfigRef: { kind: 'ProviderConfig', name: 'dev-providerconfig-kubernetes' },
      managementPolicies: ['Observe'],
      forProvider: { manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'kube-system' } } },
    });
  });

  it('waits for the CA without registering, and says so', () => {
    const { 'argocd-cluster-secret': _registered, ...unregistered } = withCa(undefined);
    const rsp = runWithRequired(settled.xr, required, unregistered);
    expect(desiredNames(rsp)).not.toContain('argocd-cluster-secret');
    expect(rsp.conditions.find((c) => c.type === 'ArgoCDRegistered')?.message).toContain('kube-system/kube-root-ca.crt');
  });

  it('writes the cluster secret K8TRE selects on, authenticated by workload identity, with the observed CA', () => {
    const rsp = runWithRequired(settled.xr, required, settled.observed);
    const object = secretOf(rsp);
    expect(object.spec.providerConfigRef).toEqual({ kind: 'ClusterProviderConfig', name: 'management' });
    const secret = object.spec.forProvider.manifest;
    expect(secret.metadata).toMatchObject({ name: 'k8tre-dev-cluster', namespace: 'argocd' });
    expect(secret.metadata.labels).toEqual({
      'argocd.argoproj.io/secret-type': 'cluster',
      environment: 'dev',
      vendor: 'azure',
      'external-dns': 'azure',
      'secret-store': 'kubernetes',
      'storage-class': 'azure',
      'skip-cilium': 'true',
      'skip-gateway': 'false',
      region: 'uksouth',
      'external-domain': 'dev.karectl.org',
    });
    expect(secret.stringData.server).toMatch(/^https:\/\/[^/:]+:443$/);
    expect(JSON.parse(secret.stringData.config)).toEqual({
      execProviderConfig: {
        command: 'argocd-k8s-auth',
        args: ['azure'],
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        env: {
          AAD_ENVIRONMENT_NAME: 'AzurePublicCloud',
          AAD_LOGIN_METHOD: 'workloadidentity',
          AZURE_CLIENT_ID: '44444444-4444-4444-4444-444444444444',
          AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000000',
          AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token',
          AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
        },
      },
      tlsClientConfig: { insecure: false, caData: Buffer.from(SIMULATED_CA).toString('base64') },
    });
    expect(JSON.stringify(secret)).not.toMatch(/bearerToken|password|clientSecret|kubelogin/i);
  });

  it('follows a CA that Azure rotates: the next observation reaches ArgoCD', () => {
    const rotated = `${SIMULATED_CA}${SIMULATED_CA.replace('c2lt', 'bmV3')}`;
    expect(caDataOf(runWithRequired(settled.xr, required, withCa({ 'ca.crt': rotated })))).toBe(Buffer.from(rotated).toString('base64'));
  });

  it('stays registered while Cilium is being upgraded or the CA is briefly unreadable', () => {
    // Dropping the Secret would take the cluster away from ArgoCD.
    const upgrading = structuredClone(settled.observed);
    (upgrading['release-cilium']!.status as { conditions: Json[] }).conditions = [{ type: 'Ready', status: 'False', reason: 'Creating' }];
    expect(desiredNames(runWithRequired(settled.xr, required, upgrading))).toContain('argocd-cluster-secret');
    const unreadable = runWithRequired(settled.xr, required, withCa(undefined));
    expect(secretOf(unreadable).spec.forProvider.manifest).toEqual(
      (settled.observed['argocd-cluster-secret']!.spec as { forProvider: { manifest: unknown } }).forProvider.manifest,
    );
  });

  it("publishes every fact K8TRE's manifests hard-code today as annotations, from what the cluster composed", () => {
    const annotations = secretOf(runWithRequired(settled.xr, required, settled.observed)).spec.forProvider.manifest.metadata.annotations;
    const status = settled.xr.status as { identities: { workloads: { name: string; clientId: string }[] } };
    const azureName = (key: string) =>
      (storesOf(settled.tree)[key]!.metadata as { annotations: Record<string, string> }).annotations['crossplane.io/external-name'];
    const clientId = (name: string) => status.identities.workloads.find((w) => w.name === name)?.clientId;
    expect(annotations).toEqual({
      'azure.k8tre.io/tenant-id': '00000000-0000-0000-0000-000000000000',
      'azure.k8tre.io/subscription-id': '00000000-0000-0000-0000-000000000000',
      'azure.k8tre.io/resource-group': 'rg-dev-aks',
      'azure.k8tre.io/data-resource-group': 'rg-dev-data',
      // The names the stores have in Azure, as the providers were told them.
      'azure.k8tre.io/storage-account-core': azureName('storage-core'),
      'azure.k8tre.io/storage-account-workspace': azureName('storage-workspace'),
      'azure.k8tre.io/key-vault': azureName('keyvault'),
      'azure.k8tre.io/private-dns-zone': 'dev.karectl.org',
      'azure.k8tre.io/private-dns-zone-resource-group': 'rg-simulated',
      'azure.k8tre.io/private-dns-zone-subscription-id': '00000000-0000-0000-0000-000000000000',
      'azure.k8tre.io/public-dns-zone': 'karectl.org',
      'azure.k8tre.io/public-dns-zone-resource-group': 'rg-k8tre-dns',
      'azure.k8tre.io/public-dns-zone-subscription-id': '00000000-0000-0000-0000-000000000000',
      'azure.k8tre.io/externaldns-client-id': clientId('externaldns'),
      'azure.k8tre.io/certmanager-client-id': clientId('certmanager'),
      'azure.k8tre.io/jupyter-client-id': clientId('jupyter'),
      // Which gateway serves dev, and the address its public records point at, from the network's status.
      'azure.k8tre.io/gateway': 'agw-k8tre',
      'azure.k8tre.io/gateway-public-ip': '203.0.113.10',
    });
  });

  it('gives ArgoCD a role on this cluster, not a token', () => {
    const rsp = runWithRequired(settled.xr, required, settled.observed);
    expect((desired(rsp, 'role-argocd-cluster-admin') as { spec: { forProvider: Json } }).spec.forProvider).toMatchObject({
      principalId: '55555555-5555-5555-5555-555555555555',
      roleDefinitionName: 'Azure Kubernetes Service RBAC Cluster Admin',
      scope: expect.stringMatching(/\/dev-aks$/),
    });
  });

  it('lets users override or add labels', () => {
    const xr = structuredClone(settled.xr) as { spec: { management: { argocd: { labels?: Record<string, string> } } } };
    xr.spec.management.argocd.labels = { 'secret-store': 'vault', team: 'research' };
    const labels = secretOf(runWithRequired(xr, required, settled.observed)).spec.forProvider.manifest.metadata.labels;
    expect(labels).toMatchObject({ 'secret-store': 'vault', team: 'research', environment: 'dev' });
  });
});

describe('the README', () => {
  it('documents every annotation the cluster Secret carries, as the contract describes it', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [key, meaning] of Object.entries(K8TRE_ANNOTATIONS)) expect(readme).toContain(`| \`${key}\` | ${meaning} |`);
  });
});
