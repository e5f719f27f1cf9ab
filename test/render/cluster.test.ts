import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../functions/k8tre/cluster/status.js';
import {
  SIMULATED_CA,
  lastRound,
  reconcileUntilSettled,
  toRound,
  treeComposed,
  treeStream,
  writeObserved,
  type Manifest,
  type Round,
} from '../../scripts/lib/reconcile.js';
import { withField } from '../support/function.js';
import { expectValid, forProvider, observedAt, settleNetwork, spokeOf, usages, useRenderSession } from '../support/render.js';

// XK8treCluster through the real CLI. The network it reads is the real example network,
// reconciled until settled, passed as the required resource.

const session = useRenderSession();
const work = mkdtempSync(join(tmpdir(), 'k8tre-cluster-'));
const status = (round: Round) => round.xr.status as ClusterStatus & { conditions: { type: string; status: string; message?: string }[] };
const condition = (round: Round, type: string) => status(round).conditions.find((c) => c.type === type);
const last = lastRound;

describe('XK8treCluster', () => {
  let network: Round;
  let rounds: Round[];
  beforeAll(async () => {
    network = await settleNetwork(session(), 'examples/network/k8tre.yaml', work, 'network');
    rounds = await reconcileUntilSettled(session(), 'examples/cluster/dev.yaml', { extraArgs: ['--required-resources', join(work, 'network.yaml')] });
  });

  it('validates every reconcile, its data stores’ too, against the provider CRDs and the XRDs', async () => {
    for (const round of rounds) await expectValid(treeStream(round));
  });

  it('composes nothing from guesses until the network has reported what the cluster needs', async () => {
    const unsettled = { ...network.xr, status: {} };
    writeFileSync(join(work, 'network-new.yaml'), toKubernetesYaml(unsettled));
    const result = await session().render('examples/cluster/dev.yaml', ['--required-resources', join(work, 'network-new.yaml')]);
    expect(result.ok, result.stderr).toBe(true);
    const round = toRound(result.stdout);
    expect(round.composed.size).toBe(0);
    expect(condition(round, 'NetworkReady')).toMatchObject({ status: 'False' });
    expect(condition(round, 'NetworkReady')?.message).toContain('XK8treNetwork k8tre/k8tre to report spoke VNet ID, node subnet ID');
  });

  it('gates each resource on the observed IDs it needs, and carries those IDs', () => {
    const has = (i: number, key: string) => treeComposed(rounds[i]!).has(key);
    // First reconcile: only what needs no observed ID. The data stores and the identities wait for
    // the cluster's group, where the endpoints and the identities go.
    expect(has(0, 'identity-controlplane') && has(0, 'resource-group')).toBe(true);
    expect(has(0, 'aks') || has(0, 'role-controlplane-network-contributor') || has(0, 'data-stores') || has(0, 'identities-0')).toBe(false);
    expect(condition(rounds[0]!, 'Composed')?.message).toContain('control-plane identity');
    // Second: the roles on the identity's principal; the data stores, told the IDs the stores will
    // have, with every endpoint from their first reconcile.
    const principal = observedAt(rounds[0]!.composed.get('identity-controlplane'), 'principalId');
    expect(forProvider(rounds[1]!.composed.get('role-controlplane-network-contributor')).principalId).toBe(principal);
    expect(has(1, 'data-stores/keyvault') && has(1, 'data-stores/keyvault-endpoint') && has(1, 'data-stores/storage-core-endpoint-dfs')).toBe(true);
    expect(has(1, 'identities-0/externaldns/identity') && has(1, 'identities-0/jupyter/identity')).toBe(true);
    expect(has(1, 'aks')).toBe(false);
    // Third: the cluster, once both roles are ready.
    expect(has(2, 'aks') && has(2, 'nodepool-workload')).toBe(true);
    expect(has(2, 'identities-0/externaldns/federation-fic-externaldns')).toBe(false);
    // Fourth: federations on the observed issuer, storage roles on the kubelet identity.
    const issuer = observedAt(rounds[2]!.composed.get('aks'), 'oidcIssuerUrl');
    expect(forProvider(treeComposed(rounds[3]!).get('identities-0/certmanager/federation-fic-certmanager'))).toMatchObject({
      issuer,
      subject: 'system:serviceaccount:cert-manager:cert-manager',
      audience: ['api://AzureADTokenExchange'],
      parentIdRef: { name: 'dev-id-certmanager-identity' },
    });
    const kubelet = observedAt(rounds[2]!.composed.get('aks'), 'kubeletIdentity', 'objectId');
    expect(forProvider(rounds[3]!.composed.get('role-kubelet-workspace-blob-data-contributor'))).toMatchObject({
      principalId: kubelet,
      roleDefinitionName: 'Storage Blob Data Contributor',
    });
    expect(condition(last(rounds), 'Composed')).toMatchObject({ status: 'True' });
  });

  it('makes a private, Entra-only AKS cluster with BYO CNI in the spoke', () => {
    const aks = forProvider(last(rounds).composed.get('aks'));
    const env = (network.xr.status as { environments: { name: string; subnets: Record<string, { id: string }> }[] }).environments.find(
      (e) => e.name === 'dev',
    )!;
    expect(aks).toMatchObject({
      privateClusterEnabled: true,
      privateClusterPublicFqdnEnabled: false,
      localAccountDisabled: true,
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      azurePolicyEnabled: true,
      skuTier: 'Standard',
      automaticUpgradeChannel: 'patch',
      nodeOsUpgradeChannel: 'NodeImage',
      kubernetesVersion: '1.36',
      keyVaultSecretsProvider: { secretRotationEnabled: true },
      storageProfile: { blobDriverEnabled: true, diskDriverEnabled: true, fileDriverEnabled: true },
      azureActiveDirectoryRoleBasedAccessControl: { adminGroupObjectIds: ['11111111-1111-1111-1111-111111111111'], azureRbacEnabled: true },
      networkProfile: { networkPlugin: 'none', serviceCidr: '100.64.0.0/16', dnsServiceIp: '100.64.0.10', outboundType: 'loadBalancer' },
      apiServerAccessProfile: { virtualNetworkIntegrationEnabled: true, subnetId: env.subnets.apiServer!.id },
      identity: { type: 'UserAssigned', identityIdsRefs: [{ name: 'dev-identity-controlplane' }] },
      defaultNodePool: {
        vmSize: 'Standard_D2ds_v5',
        autoScalingEnabled: true,
        minCount: 3,
        maxCount: 9,
        maxPods: 110,
        onlyCriticalAddonsEnabled: true,
        osSku: 'AzureLinux',
        zones: ['1', '2', '3'],
        vnetSubnetId: env.subnets.nodes!.id,
      },
    });
    expect(aks.privateDnsZoneId).toMatch(/dns-zone-aks$/);
    expect(forProvider(last(rounds).composed.get('nodepool-workload'))).toMatchObject({
      mode: 'User',
      kubernetesClusterIdRef: { name: 'dev-aks' },
      zones: ['1', '2', '3'],
    });
  });

  it('keeps the Key Vault and storage private, and from deletion', () => {
    const composed = treeComposed(last(rounds));
    const vault = composed.get('data-stores/keyvault')!;
    expect((vault.spec as { managementPolicies: string[] }).managementPolicies).not.toContain('Delete');
    expect(forProvider(vault)).toMatchObject({
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      publicNetworkAccessEnabled: false,
      networkAcls: { defaultAction: 'Deny' },
    });
    // Shared Key stays on only where K8TRE mounts Azure Files with the account key.
    expect(forProvider(composed.get('data-stores/storage-core')).sharedAccessKeyEnabled).toBe(true);
    expect(forProvider(composed.get('data-stores/storage-workspace')).sharedAccessKeyEnabled).toBe(false);
    // The roles are scoped to the accounts as their data stores report them.
    expect(forProvider(composed.get('role-kubelet-core-account-contributor')).scope).toBe(observedAt(composed.get('data-stores/storage-core'), 'id'));
    for (const purpose of ['core', 'workspace']) {
      const account = composed.get(`data-stores/storage-${purpose}`)!;
      const name = account.metadata.annotations?.['crossplane.io/external-name'] ?? '';
      expect((account.spec as { managementPolicies: string[] }).managementPolicies).not.toContain('Delete');
      expect(forProvider(account)).toMatchObject({
        accountKind: 'StorageV2',
        isHnsEnabled: true,
        publicNetworkAccessEnabled: false,
        allowNestedItemsToBePublic: false,
        minTlsVersion: 'TLS1_2',
        accountReplicationType: 'LRS',
      });
      for (const service of ['blob', 'file', 'queue', 'table', 'dfs']) {
        expect(forProvider(composed.get(`data-stores/storage-${purpose}-endpoint-${service}`))).toMatchObject({
          // The ID Azure gives the account, as the cluster told it before the account reported one.
          privateServiceConnection: {
            subresourceNames: [service],
            privateConnectionResourceId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dev-data/providers/Microsoft.Storage/storageAccounts/${name}`,
          },
          privateDnsZoneGroup: { privateDnsZoneIds: [expect.stringMatching(new RegExp(`dns-zone-${service}$`))] },
        });
      }
    }
    expect(forProvider(composed.get('data-stores/keyvault-endpoint'))).toMatchObject({ privateServiceConnection: { subresourceNames: ['vault'] } });
  });

  it('gives each identity only the roles it needs', () => {
    // The cluster's own and its identities'.
    const roles = [...treeComposed(last(rounds)).values()].filter((m) => m.kind === 'RoleAssignment').map((m) => forProvider(m));
    expect(roles.map((r) => r.roleDefinitionName).sort()).toEqual(
      [
        'Azure Kubernetes Service RBAC Cluster Admin',
        'Azure Kubernetes Service RBAC Cluster Admin',
        'DNS Zone Contributor',
        'Key Vault Secrets User',
        'Network Contributor',
        'Private DNS Zone Contributor',
        'Private DNS Zone Contributor',
        'Reader',
        // The kubelet's: blob data on both accounts; the core account's key, for K8TRE's rwx-default class.
        'Storage Blob Data Contributor',
        'Storage Blob Data Contributor',
        'Storage Account Contributor',
        'Storage Blob Data Contributor',
      ].sort(),
    );
    for (const role of roles) expect(role.scope).not.toMatch(/^\/subscriptions\/[^/]+$/);
    expect(forProvider(treeComposed(last(rounds)).get('identities-0/jupyter/role-0')).scope).toBe(
      observedAt(treeComposed(last(rounds)).get('data-stores/storage-workspace'), 'id'),
    );
  });

  it('installs the Gateway API CRDs Cilium requires, then Cilium, through Entra-authenticated provider configs', () => {
    const firstWith = (key: string) => rounds.findIndex((r) => r.composed.has(key));
    // Cilium 1.20's operator requires all seven, TLSRoute among them, before it enables Gateway API.
    const crdKeys = ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants', 'grpcroutes', 'tlsroutes', 'backendtlspolicies'].map(
      (p) => `gateway-api-${p}`,
    );
    expect([...last(rounds).composed.keys()].filter((k) => k.startsWith('gateway-api-')).sort()).toEqual([...crdKeys].sort());
    expect(firstWith('providerconfig-helm')).toBeGreaterThan(firstWith('aks'));
    for (const key of crdKeys) expect(firstWith(key)).toBeGreaterThan(firstWith('role-crossplane-cluster-admin'));
    expect(firstWith('release-cilium')).toBeGreaterThan(Math.max(...crdKeys.map(firstWith)));

    const { composed } = last(rounds);
    const helmConfig = composed.get('providerconfig-helm')!.spec as Record<string, unknown>;
    expect(helmConfig).toEqual({
      credentials: { source: 'Secret', secretRef: { name: 'dev-aks-connection', namespace: 'k8tre', key: 'kubeconfig' } },
      identity: {
        type: 'AzureWorkloadIdentityCredentials',
        source: 'Secret',
        secretRef: { name: 'dev-incluster-identity', namespace: 'k8tre', key: 'credentials' },
      },
    });
    const identity = composed.get('incluster-identity')!;
    const credentials = JSON.parse(Buffer.from((identity.data as { credentials: string }).credentials, 'base64').toString()) as unknown;
    expect(credentials).toEqual({
      clientId: '22222222-2222-2222-2222-222222222222',
      tenantId: '00000000-0000-0000-0000-000000000000',
      federatedTokenFile: '/var/run/secrets/azure/tokens/azure-identity-token',
      authorityHost: 'https://login.microsoftonline.com/',
    });
    expect(forProvider(composed.get('role-crossplane-cluster-admin'))).toMatchObject({
      principalId: '33333333-3333-3333-3333-333333333333',
      scope: observedAt(composed.get('aks'), 'id'),
    });

    for (const key of crdKeys) {
      const object = composed.get(key)!.spec as {
        managementPolicies: string[];
        forProvider: { manifest: { kind: string; metadata: { annotations: Record<string, string> } } };
      };
      expect(object.managementPolicies).not.toContain('Delete');
      expect(object.forProvider.manifest.kind).toBe('CustomResourceDefinition');
      expect(object.forProvider.manifest.metadata.annotations).toMatchObject({
        'gateway.networking.k8s.io/bundle-version': 'v1.6.1',
        'gateway.networking.k8s.io/channel': 'standard',
      });
    }

    const cilium = composed.get('release-cilium')!.spec as { forProvider: { chart: unknown; namespace: string; values: Record<string, unknown> } };
    expect(cilium.forProvider.chart).toEqual({ name: 'cilium', repository: 'https://helm.cilium.io/', version: '1.20.2' });
    expect(cilium.forProvider.namespace).toBe('kube-system');
    expect(cilium.forProvider.values).toMatchObject({
      aksbyocni: { enabled: true },
      cluster: { name: 'dev', id: 1 },
      k8sServiceHost: observedAt(composed.get('aks'), 'privateFqdn'),
      k8sServicePort: 443,
      kubeProxyReplacement: true,
      l7Proxy: true,
      ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['100.68.0.0/14'] } },
      gatewayAPI: { enabled: true, gatewayClass: { create: 'true' } },
      hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: true } },
    });
    expect(String(cilium.forProvider.values.k8sServiceHost)).not.toMatch(/^https?:|:\d+$/);
  });

  it("registers with ArgoCD after Cilium, with the CA read from the cluster's kube-root-ca.crt, saying what it waits for until then", () => {
    const firstWith = (key: string) => rounds.findIndex((r) => r.composed.has(key));
    expect(firstWith('cluster-root-ca')).toBeGreaterThan(firstWith('providerconfig-kubernetes'));
    expect(firstWith('argocd-cluster-secret')).toBeGreaterThan(Math.max(firstWith('release-cilium'), firstWith('cluster-root-ca')));
    expect(condition(last(rounds), 'ArgoCDRegistered')).toMatchObject({ status: 'True', reason: 'Registered' });
    const beforeCilium = rounds.find((r) => r.composed.has('aks') && !r.composed.has('release-cilium'));
    expect(condition(beforeCilium!, 'ArgoCDRegistered')?.message).toContain('Cilium');
    const secret = (last(rounds).composed.get('argocd-cluster-secret')!.spec as { forProvider: { manifest: { stringData: { config: string } } } }).forProvider
      .manifest;
    expect(JSON.parse(secret.stringData.config)).toMatchObject({ tlsClientConfig: { caData: Buffer.from(SIMULATED_CA).toString('base64') } });
  });

  it('orders deletion with Usages: releases before the cluster and its access, the cluster before its identity, roles and network', () => {
    const round = last(rounds);
    expect(usages(round)).toEqual([
      'KubernetesCluster/dev-aks used by Release/dev-release-cilium',
      'RoleAssignment/dev-role-controlplane-network-contributor used by KubernetesCluster/dev-aks',
      'RoleAssignment/dev-role-controlplane-private-dns-zone-contributor used by KubernetesCluster/dev-aks',
      'RoleAssignment/dev-role-crossplane-cluster-admin used by Release/dev-release-cilium',
      'Secret/dev-incluster-identity used by Release/dev-release-cilium',
      'UserAssignedIdentity/dev-identity-controlplane used by KubernetesCluster/dev-aks',
      'XK8treNetwork/k8tre used by KubernetesCluster/dev-aks',
    ]);
    // Every end is something this render composes (or the network it reads), by its real name.
    const names = new Set([...round.composed.values()].map((m) => `${m.kind}/${m.metadata.name}`));
    for (const line of usages(round)) for (const end of line.split(' used by ')) expect(end === 'XK8treNetwork/k8tre' || names.has(end), end).toBe(true);
    // A pair is guarded from the round in which both exist, never before.
    const firstAks = rounds.findIndex((r) => r.composed.has('aks'));
    expect(usages(rounds[firstAks]!)).toContain('XK8treNetwork/k8tre used by KubernetesCluster/dev-aks');
    expect(usages(rounds[firstAks]!).some((u) => u.includes('Release/'))).toBe(false);
  });

  it('reports the IDs K8TRE needs in status', () => {
    const s = status(last(rounds));
    expect(s.aks.oidcIssuerUrl).toMatch(/^https:\/\/oidc\.simulated\.invalid\//);
    expect(s.aks.privateFqdn).toBeDefined();
    expect(s.networking).toEqual({ serviceCidr: '100.64.0.0/16', dnsServiceIp: '100.64.0.10', podCidr: '100.68.0.0/14' });
    expect(s.identities.workloads.map((w) => w.name)).toEqual(['externaldns', 'certmanager', 'jupyter']);
    for (const w of s.identities.workloads) expect(w.clientId).toMatch(/^00000000-0000-4000-8000-/);
    expect(s.identities.kubelet.principalId).toBeDefined();
    expect(s.keyVault.uri).toMatch(/^https:\/\//);
    expect(s.storage.core.name).toMatch(/^stdevcore[0-9a-f]{6}$/);
    expect(s.domains).toEqual({ public: 'dev.karectl.org', internal: 'dev.karectl.org' });
  });

  it.each(['stg', 'prd'])('settles and validates examples/cluster/%s.yaml too', async (env) => {
    const envRounds = await reconcileUntilSettled(session(), `examples/cluster/${env}.yaml`, {
      extraArgs: ['--required-resources', join(work, 'network.yaml')],
    });
    for (const round of envRounds) await expectValid(round.stream);
    expect(condition(last(envRounds), 'Composed')).toMatchObject({ status: 'True' });
    expect(status(last(envRounds)).domains.public).toBe(env === 'prd' ? 'karectl.org' : `${env}.karectl.org`);
  });

  it('renders an existing cluster identically when the network gains an environment', async () => {
    const grownXr = withField(network.xr, 'spec.environments', [
      { name: 'dev' },
      { name: 'stg' },
      { name: 'prd', apex: true },
      { name: 'mgmt', exposed: false },
      { name: 'uat' },
    ]) as Manifest;
    const grown = await settleNetwork(session(), grownXr, work, 'network-grown', network);
    const clusterXr = last(rounds).xr;
    writeFileSync(join(work, 'dev.yaml'), toKubernetesYaml(clusterXr));
    const observedDir = writeObserved(last(rounds), join(work, 'dev-observed'));
    const render = (networkFile: string) =>
      session().render(join(work, 'dev.yaml'), ['--required-resources', networkFile, '--observed-resources', observedDir]);
    const before = await render(join(work, 'network.yaml'));
    const after = await render(join(work, 'network-grown.yaml'));
    expect(before.ok && after.ok, before.stderr + after.stderr).toBe(true);
    expect(toRound(after.stdout).composed).toEqual(toRound(before.stdout).composed);
    expect(spokeOf(grown, 'uat').has('vnet')).toBe(true);
  });
});
