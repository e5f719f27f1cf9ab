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
    expect(Object.keys(existing)).toEqual(
      expect.arrayContaining(['aks', 'federation-externaldns', 'role-kubelet-core-account-contributor', 'keyvault-endpoint']),
    );
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
