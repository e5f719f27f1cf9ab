import { describe, expect, it } from 'vitest';
import { AKS_KUBECONFIG, desired, desiredNames, runWithRequired, settledDevCluster, type Json } from '../support/function.js';

// Registration needs the cluster's CA, which AKS publishes only inside its kubeconfig
// connection detail. `crossplane render` cannot mock connection details, so this runs the
// handler in-process with the kubeconfig Crossplane would pass.

const settled = settledDevCluster();
const required = settled.required;

describe('registration with the management ArgoCD', () => {
  it('waits for the CA without registering, and says so', () => {
    const rsp = runWithRequired(settled.xr, required, settled.observed);
    expect(desiredNames(rsp)).not.toContain('argocd-cluster-secret');
    expect(rsp.conditions.find((c) => c.type === 'ArgoCDRegistered')?.message).toContain('certificate authority');
  });

  it('writes the cluster secret K8TRE selects on, authenticated by workload identity', () => {
    const rsp = runWithRequired(settled.xr, required, settled.observed, { aks: { kubeconfig: AKS_KUBECONFIG } });
    type ClusterSecret = { metadata: { name: string; namespace: string; labels: Record<string, string> }; stringData: { server: string; config: string } };
    const object = desired(rsp, 'argocd-cluster-secret') as { spec: { providerConfigRef: unknown; forProvider: { manifest: ClusterSecret } } };
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
    const config = JSON.parse(secret.stringData.config) as unknown;
    expect(config).toEqual({
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
      tlsClientConfig: { insecure: false, caData: 'Q0EtQ0VSVElGSUNBVEU=' },
    });
    expect(JSON.stringify(secret)).not.toMatch(/bearerToken|password|clientSecret|kubelogin/i);
  });

  it('gives ArgoCD a role on this cluster, not a token', () => {
    const rsp = runWithRequired(settled.xr, required, settled.observed, { aks: { kubeconfig: AKS_KUBECONFIG } });
    expect((desired(rsp, 'role-argocd-cluster-admin') as { spec: { forProvider: Json } }).spec.forProvider).toMatchObject({
      principalId: '55555555-5555-5555-5555-555555555555',
      roleDefinitionName: 'Azure Kubernetes Service RBAC Cluster Admin',
      scope: expect.stringMatching(/\/dev-aks$/),
    });
  });

  it('lets users override or add labels', () => {
    const xr = structuredClone(settled.xr) as { spec: { management: { argocd: { labels?: Record<string, string> } } } };
    xr.spec.management.argocd.labels = { 'secret-store': 'vault', team: 'research' };
    const rsp = runWithRequired(xr, required, settled.observed, { aks: { kubeconfig: AKS_KUBECONFIG } });
    const labels = (desired(rsp, 'argocd-cluster-secret') as { spec: { forProvider: { manifest: { metadata: { labels: Record<string, string> } } } } }).spec
      .forProvider.manifest.metadata.labels;
    expect(labels).toMatchObject({ 'secret-store': 'vault', team: 'research', environment: 'dev' });
  });
});
