import { describe, expect, it } from 'vitest';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { desiredNames, fatalMessage, loadExample, runWithRequired, settle, withField, type Json } from '../support/function.js';

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
const network = settle(loadExample('examples/network/k8tre.yaml'), observe).xr;
const example = loadExample('examples/cluster/dev.yaml');
const required = { network: [network] };
const pool = (extra: Json) => [{ name: 'workload', vmSize: 'Standard_D4ds_v5', ...extra }];
const identity = (name: string, roles: Json[] = [{ role: 'Reader', scopeResource: 'KeyVault' }]) => ({ name, namespace: 'apps', serviceAccount: 'app', roles });

const cases: [string, Json, Record<string, Json[]>, string][] = [
  ['an unknown network', example, { network: [] }, 'spec.networkRef.name'],
  ['an environment the network does not have', withField(example, 'spec.environment', 'uat'), required, 'spec.environment'],
  // Two XRs owning one group: deleting either would delete the other's resources with it.
  [
    "the network's resource group, in another case",
    withField(example, 'spec.resourceGroupName', String((network.status as { resourceGroupName: string }).resourceGroupName).toUpperCase()),
    required,
    'spec.resourceGroupName',
  ],
  // Groups an ID names belong to someone else: adopting one takes it over, and deleting the XR could delete it.
  [
    "the group of the network's certificate vault, for the data stores",
    withField(example, 'spec.dataResourceGroupName', 'rg-k8tre-certs'),
    required,
    'spec.dataResourceGroupName',
  ],
  [
    "the group of cert-manager's public zone, for the cluster",
    withField(example, 'spec.resourceGroupName', 'RG-K8TRE-DNS'),
    required,
    'spec.resourceGroupName',
  ],
  [
    "the network's resource group for the data stores",
    withField(example, 'spec.dataResourceGroupName', (network.status as { resourceGroupName: string }).resourceGroupName),
    required,
    'spec.dataResourceGroupName',
  ],
  ['a malformed Kubernetes version', withField(example, 'spec.kubernetesVersion', '1.32.1'), required, 'spec.kubernetesVersion'],
  ['a Kubernetes version AKS does not offer', withField(example, 'spec.kubernetesVersion', '1.12'), required, 'spec.kubernetesVersion'],
  ['a pool larger than allowed', withField(example, 'spec.nodePools', pool({ maxCount: 5000 })), required, 'spec.nodePools[0].maxCount'],
  [
    'a pool whose maximum is below its minimum',
    withField(example, 'spec.nodePools', pool({ minCount: 4, maxCount: 2 })),
    required,
    'spec.nodePools[0].maxCount',
  ],
  ['a system pool with no nodes', withField(example, 'spec.systemPool', { minCount: 0 }), required, 'spec.systemPool.minCount'],
  ['too many pods per node', withField(example, 'spec.systemPool', { maxPods: 500 }), required, 'spec.systemPool.maxPods'],
  ['a pool named like the system pool', withField(example, 'spec.nodePools', pool({ name: 'system' })), required, 'spec.nodePools[0].name'],
  ['duplicate identity names', withField(example, 'spec.workloadIdentities', [identity('app'), identity('app')]), required, 'spec.workloadIdentities[1].name'],
  [
    'an identity named like a built-in one',
    withField(example, 'spec.workloadIdentities', [identity('externaldns')]),
    required,
    'spec.workloadIdentities[0].name',
  ],
  [
    'Owner on a whole subscription',
    withField(example, 'spec.workloadIdentities', [identity('app', [{ role: 'Owner', scope: '/subscriptions/00000000-0000-0000-0000-000000000000' }])]),
    required,
    'spec.workloadIdentities[0].roles[0].scope',
  ],
  [
    'a role with two scopes',
    withField(example, 'spec.workloadIdentities', [
      identity('app', [{ role: 'Reader', scope: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg', scopeResource: 'KeyVault' }]),
    ]),
    required,
    'spec.workloadIdentities[0].roles[0]',
  ],
  ['a service CIDR inside the network', withField(example, 'spec.networking', { serviceCidr: '10.110.0.0/16' }), required, 'spec.networking.serviceCidr'],
  ['a pod CIDR overlapping the service CIDR', withField(example, 'spec.networking', { podCidr: '100.64.0.0/14' }), required, 'spec.networking.podCidr'],
  ['a tenant that is not a GUID', withField(example, 'spec.tenantId', 'contoso'), required, 'spec.tenantId'],
  [
    "two of the ArgoCD server's fields wrong at once: the error names the one the reader checks first, its Entra provider config",
    withField(loadExample('examples/cluster/mgmt.yaml'), 'spec.argocdServer', { hostname: 'Not_A_Host', entraProviderConfigRef: 'default' }),
    required,
    'spec.argocdServer.entraProviderConfigRef',
  ],
  ['no cert-manager zone', withField(example, 'spec.certManager', undefined), required, 'spec.certManager'],
  // Values Azure refuses, which a schema alone would pass.
  ['a Key Vault name with two hyphens in a row', withField(example, 'spec.keyVault', { name: 'kv--research' }), required, 'spec.keyVault.name'],
  ['a Key Vault name ending in a hyphen', withField(example, 'spec.keyVault', { name: 'kv-research-' }), required, 'spec.keyVault.name'],
  ['a pool that can never have a node', withField(example, 'spec.nodePools', pool({ minCount: 0, maxCount: 0 })), required, 'spec.nodePools[0].maxCount'],
  [
    'a node label AKS reserves',
    withField(example, 'spec.nodePools', pool({ labels: { 'kubernetes.azure.com/mode': 'user' } })),
    required,
    'spec.nodePools[0].labels["kubernetes.azure.com/mode"]',
  ],
  [
    'a system pool whose minimum exceeds its maximum',
    withField(example, 'spec.systemPool', { minCount: 5, maxCount: 3 }),
    required,
    'spec.systemPool.maxCount',
  ],
  [
    'a role scope whose subscription is not a GUID',
    withField(example, 'spec.workloadIdentities', [identity('app', [{ role: 'Reader', scope: '/subscriptions/contoso/resourceGroups/rg' }])]),
    required,
    'spec.workloadIdentities[0].roles[0].scope',
  ],
  ['a tag name Azure refuses', withField(example, 'spec.tags', { 'a<b': 'x' }), required, 'spec.tags["a<b"]'],
  // Maintenance windows AKS refuses (https://learn.microsoft.com/azure/aks/planned-maintenance).
  [
    'a maintenance window shorter than the 4 hours AKS needs',
    withField(example, 'spec.maintenance', { autoUpgrade: { durationHours: 2 } }),
    required,
    'spec.maintenance.autoUpgrade.durationHours',
  ],
  ['a start time past midnight', withField(example, 'spec.maintenance', { nodeOs: { startTime: '24:30' } }), required, 'spec.maintenance.nodeOs.startTime'],
  [
    'a UTC offset without its leading zero',
    withField(example, 'spec.maintenance', { nodeOs: { utcOffset: '+5:30' } }),
    required,
    'spec.maintenance.nodeOs.utcOffset',
  ],
  ['an abbreviated day', withField(example, 'spec.maintenance', { autoUpgrade: { dayOfWeek: 'Sat' } }), required, 'spec.maintenance.autoUpgrade.dayOfWeek'],
  [
    'Image Cleaner more often than daily',
    withField(example, 'spec.security', { imageCleanerIntervalHours: 12 }),
    required,
    'spec.security.imageCleanerIntervalHours',
  ],
  ['host encryption as a word', withField(example, 'spec.nodePools', pool({ hostEncryption: 'yes' })), required, 'spec.nodePools[0].hostEncryption'],
  // Container Insights settings Azure refuses (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable#log-configuration-file).
  [
    'a collection interval past the 30 minutes Container Insights takes',
    withField(example, 'spec.monitoring', { containerInsights: { intervalMinutes: 60 } }),
    required,
    'spec.monitoring.containerInsights.intervalMinutes',
  ],
  [
    'a namespace filter mode Container Insights does not have',
    withField(example, 'spec.monitoring', { containerInsights: { namespaceFilteringMode: 'Only' } }),
    required,
    'spec.monitoring.containerInsights.namespaceFilteringMode',
  ],
  [
    'a namespace Kubernetes cannot name',
    withField(example, 'spec.monitoring', { containerInsights: { namespaces: ['Kube_System'] } }),
    required,
    'spec.monitoring.containerInsights.namespaces[0]',
  ],
  ['Defender as a word', withField(example, 'spec.security', { defender: 'on' }), required, 'spec.security.defender'],
  // Names that would collide with what the package composes.
  ['a pool named like the system pool while it rotates', withField(example, 'spec.nodePools', pool({ name: 'systemtmp' })), required, 'spec.nodePools[0].name'],
  [
    'a pool named like another while it rotates',
    withField(example, 'spec.nodePools', [...pool({ name: 'gpu' }), ...pool({ name: 'gputmp' })]),
    required,
    'spec.nodePools[1].name',
  ],
  ["an identity named like ArgoCD's", withField(example, 'spec.workloadIdentities', [identity('argocd')]), required, 'spec.workloadIdentities[0].name'],
  // Identity and privilege.
  [
    'owner, in lower case, on a whole subscription',
    withField(example, 'spec.workloadIdentities', [identity('app', [{ role: 'owner', scope: '/subscriptions/00000000-0000-0000-0000-000000000000' }])]),
    required,
    'spec.workloadIdentities[0].roles[0].scope',
  ],
  [
    'Contributor on a whole resource group',
    withField(example, 'spec.workloadIdentities', [identity('app', [{ role: 'Contributor', scopeResource: 'ResourceGroup' }])]),
    required,
    'spec.workloadIdentities[0].roles[0].scopeResource',
  ],
  [
    'a data-plane role on a whole resource group, not asked for',
    withField(example, 'spec.workloadIdentities', [
      identity('app', [{ role: 'Storage Blob Data Reader', scope: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data' }]),
    ]),
    required,
    'spec.workloadIdentities[0].roles[0].scope',
  ],
  [
    'a write role on a whole subscription',
    withField(example, 'spec.workloadIdentities', [
      identity('app', [{ role: 'Network Contributor', scope: '/subscriptions/00000000-0000-0000-0000-000000000000' }]),
    ]),
    required,
    'spec.workloadIdentities[0].roles[0].scope',
  ],
  [
    // The cluster's resource group holds its own identities, ArgoCD's among them: a role there that
    // can list a storage account's keys is an escalation, so broad scopes take an allow-list.
    'a write role that is not on the allow-list, on a whole resource group',
    withField(example, 'spec.workloadIdentities', [identity('app', [{ role: 'Storage Account Contributor', scopeResource: 'ResourceGroup' }])]),
    required,
    'spec.workloadIdentities[0].roles[0].scopeResource',
  ],
  [
    // With it a service account could add a federated credential to any identity, and become it.
    'Managed Identity Operator, even on one resource',
    withField(example, 'spec.workloadIdentities', [identity('app', [{ role: 'Managed Identity Operator', scopeResource: 'KeyVault' }])]),
    required,
    'spec.workloadIdentities[0].roles[0].scopeResource',
  ],
  [
    // It may list storage account keys, and the core account takes them.
    'Log Analytics Contributor on a whole resource group',
    withField(example, 'spec.workloadIdentities', [identity('app', [{ role: 'Log Analytics Contributor', scopeResource: 'ResourceGroup' }])]),
    required,
    'spec.workloadIdentities[0].roles[0].scopeResource',
  ],
  [
    // On the network's group it would rewrite every private-link and API-server record.
    'Private DNS Zone Contributor on a whole resource group',
    withField(example, 'spec.workloadIdentities', [
      identity('app', [{ role: 'Private DNS Zone Contributor', scope: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-k8tre-network' }]),
    ]),
    required,
    'spec.workloadIdentities[0].roles[0].scope',
  ],
  [
    // It runs commands on the nodes, as the kubelet identity.
    'Virtual Machine Contributor on a node scale set',
    withField(example, 'spec.workloadIdentities', [
      identity('app', [
        {
          role: 'Virtual Machine Contributor',
          scope: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc-dev/providers/Microsoft.Compute/virtualMachineScaleSets/aks-user-1',
        },
      ]),
    ]),
    required,
    'spec.workloadIdentities[0].roles[0].scope',
  ],
  [
    'Owner on a managed identity',
    withField(example, 'spec.workloadIdentities', [
      identity('app', [
        {
          role: 'Owner',
          scope: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-argocd`,
        },
      ]),
    ]),
    required,
    'spec.workloadIdentities[0].roles[0].scope',
  ],
  [
    // Azure resolves role names without regard to case, so the rules do too.
    'an access administrator role in upper case, on a whole resource group',
    withField(example, 'spec.workloadIdentities', [identity('app', [{ role: 'USER ACCESS ADMINISTRATOR', scopeResource: 'ResourceGroup' }])]),
    required,
    'spec.workloadIdentities[0].roles[0].scopeResource',
  ],
  // Kubernetes' label syntax, which AKS applies to every node.
  ['a node label value with a space', withField(example, 'spec.nodePools', pool({ labels: { team: 'has space' } })), required, 'spec.nodePools[0].labels.team'],
  [
    'a node label under AKS’s prefix, in upper case',
    withField(example, 'spec.nodePools', pool({ labels: { 'Kubernetes.Azure.Com/mode': 'user' } })),
    required,
    'spec.nodePools[0].labels["Kubernetes.Azure.Com/mode"]',
  ],
  [
    'a cluster-secret label the package sets',
    withField(example, 'spec.management.argocd.labels', { environment: 'prd' }),
    required,
    'spec.management.argocd.labels.environment',
  ],
  [
    'a storage account name Azure refuses',
    withField(example, 'spec.storage', { accountNames: { core: 'Core_Storage' } }),
    required,
    'spec.storage.accountNames.core',
  ],
];

describe('XK8treCluster bad input', () => {
  const existing = settle(example, observe, required).observed;

  it('settles the example with every gated resource', () => {
    expect(Object.keys(existing)).toEqual(expect.arrayContaining(['aks', 'identities-0', 'role-kubelet-core-account-contributor', 'data-stores']));
  });

  it.each(cases)('%s gives a Fatal naming the field', (_, xr, req, field) => {
    expect(fatalMessage(runWithRequired(xr, req))).toContain(`${field}:`);
  });

  it.each(cases)('%s drops nothing that exists', (_, xr, req) => {
    const rsp = runWithRequired(xr, req, existing);
    expect(fatalMessage(rsp)).toBeDefined();
    expect(desiredNames(rsp)).toEqual(Object.keys(existing).sort());
  });

  it('holds everything, without a Fatal, while the network is unavailable', () => {
    const rsp = runWithRequired(example, { network: [{ ...network, status: {} }] }, existing);
    expect(fatalMessage(rsp)).toBeUndefined();
    expect(desiredNames(rsp)).toEqual(Object.keys(existing).sort());
    expect(rsp.conditions.find((c) => c.type === 'NetworkReady')?.message).toContain('to report');
  });
});

// What a workload identity may still be given (role-policy.ts): each of these composes.
const S = '00000000-0000-0000-0000-000000000000';
const allowed: [string, Json[]][] = [
  ['Reader on a whole subscription', [{ role: 'Reader', scope: `/subscriptions/${S}` }]],
  [
    'a data-plane role on a resource group, asked for with broadScope',
    [{ role: 'Storage Blob Data Reader', scope: `/subscriptions/${S}/resourceGroups/rg-data`, broadScope: true }],
  ],
  ['Contributor on one resource', [{ role: 'Contributor', scopeResource: 'WorkspaceStorage' }]],
  ['a control-plane role on a resource group', [{ role: 'Monitoring Contributor', scopeResource: 'ResourceGroup' }]],
  ['a reader role spelled in lower case on a whole subscription', [{ role: 'monitoring reader', scope: `/subscriptions/${S}` }]],
  ['a data-plane role on one resource', [{ role: 'Key Vault Secrets User', scopeResource: 'KeyVault' }]],
  // A role scope names a group without claiming it: the cluster's own data group is a fine scope.
  ['a reader role on the cluster’s own data group, by ID', [{ role: 'Reader', scope: `/subscriptions/${S}/resourceGroups/rg-dev-data` }]],
];

describe('identity and privilege: what stays allowed', () => {
  it.each(allowed)('%s', (_, roles) => {
    expect(fatalMessage(runWithRequired(withField(example, 'spec.workloadIdentities', [identity('app', roles)]), required))).toBeUndefined();
  });
});
