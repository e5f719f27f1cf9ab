import { describe, expect, it } from 'vitest';
import { limits } from '../../functions/k8tre/network/api.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { desired, desiredNames, fatalMessage, loadExample, run, settle, withField, type Json } from '../support/function.js';

const example = loadExample('examples/network/k8tre.yaml');
const env = (name: string, extra: Json = {}) => ({ name, ...extra });

// Each row: what is wrong, how the XR is broken, and the field the Fatal message must name.
const cases: [string, Json, string][] = [
  // Monitoring (network/monitoring.ts): receivers and retention Azure refuses.
  ['an alert email without a domain', withField(example, 'spec.monitoring', { alerts: { emails: ['ops'] } }), 'spec.monitoring.alerts.emails[0]'],
  [
    'a webhook over plain HTTP, which would carry alerts in clear',
    withField(example, 'spec.monitoring', { alerts: { webhooks: ['http://hooks.example.org/k8tre'] } }),
    'spec.monitoring.alerts.webhooks[0]',
  ],
  [
    'more webhooks than an action group takes (10)',
    withField(example, 'spec.monitoring', { alerts: { webhooks: Array.from({ length: 11 }, (_, i) => `https://hooks.example.org/${i}`) } }),
    'spec.monitoring.alerts.webhooks',
  ],
  ['a retention below what the workspace takes (30 days)', withField(example, 'spec.monitoring', { retentionInDays: 7 }), 'spec.monitoring.retentionInDays'],
  [
    'a workspace ID of another kind',
    withField(example, 'spec.monitoring', {
      logAnalyticsWorkspaceId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.Monitor/accounts/amw-ops',
    }),
    'spec.monitoring.logAnalyticsWorkspaceId',
  ],
  [
    "two fields wrong at once: the error names the first in the spec's order",
    withField(example, 'spec.monitoring', { logAnalyticsWorkspaceId: 'not-an-id', retentionInDays: 7 }),
    'spec.monitoring.logAnalyticsWorkspaceId',
  ],
  [
    'overlapping explicit CIDRs',
    withField(example, 'spec.environments', [env('dev', { addressSpace: '10.1.0.0/16' }), env('stg', { addressSpace: '10.1.16.0/20' })]),
    'spec.environments[1].addressSpace',
  ],
  [
    'an explicit CIDR inside the hub',
    withField(example, 'spec.environments', [env('dev', { addressSpace: '10.100.0.0/22' })]),
    'spec.environments[0].addressSpace',
  ],
  [
    'a pool too small for a new environment',
    withField(withField(example, 'spec.addressPool', { cidr: '10.110.0.0/23', spokePrefixLength: 24 }), 'spec.environments', [
      env('dev'),
      env('stg'),
      env('prd'),
      env('uat'),
    ]),
    'spec.addressPool.cidr',
  ],
  ['duplicate environment names', withField(example, 'spec.environments', [env('dev'), env('stg'), env('dev')]), 'spec.environments[2].name'],
  ['an invalid public zone', withField(example, 'spec.dns.publicZone', 'Karectl..org'), 'spec.dns.publicZone'],
  ['an invalid internal domain', withField(example, 'spec.dns.internalDomain', 'k8tre_internal'), 'spec.dns.internalDomain'],
  ['an invalid environment name', withField(example, 'spec.environments', [env('Dev-1')]), 'spec.environments[0].name'],
  ['an invalid rewrite service', withField(example, 'spec.dns.rewrite', { services: ['jupyter', 'Keycloak!'] }), 'spec.dns.rewrite.services[1]'],
  ['a spoke prefix length out of range', withField(example, 'spec.addressPool.spokePrefixLength', 28), 'spec.addressPool.spokePrefixLength'],
  [
    'a spoke prefix larger than the pool',
    withField(example, 'spec.addressPool', { cidr: '10.110.0.0/20', spokePrefixLength: 16 }),
    'spec.addressPool.spokePrefixLength',
  ],
  [
    'an explicit spoke prefix out of range',
    withField(example, 'spec.environments', [env('dev', { addressSpace: '10.0.0.0/12' })]),
    'spec.environments[0].addressSpace',
  ],
  ['a created hub too small for its subnets', withField(example, 'spec.hub.addressSpace', '10.100.0.0/24'), 'spec.hub.addressSpace'],
  ['a CIDR with host bits', withField(example, 'spec.addressPool.cidr', '10.110.0.1/16'), 'spec.addressPool.cidr'],
  ['a region of the wrong type', withField(example, 'spec.region', 42), 'spec.region'],
  ['environments that are not a list', withField(example, 'spec.environments', { dev: {} }), 'spec.environments'],
  [
    'too many environments',
    withField(
      example,
      'spec.environments',
      Array.from({ length: limits.environments.max + 1 }, (_, i) => env(`e${i}`)),
    ),
    'spec.environments',
  ],
  ['no certificate vault', withField(example, 'spec.gateway.certificates', undefined), 'spec.gateway.certificates'],
  [
    'a malformed Key Vault ID',
    withField(example, 'spec.gateway.certificates.keyVaultId', '/subscriptions/x/vaults/kv'),
    'spec.gateway.certificates.keyVaultId',
  ],
  ['maxCapacity below minCapacity', withField(withField(example, 'spec.gateway.minCapacity', 5), 'spec.gateway.maxCapacity', 3), 'spec.gateway.maxCapacity'],
  ['two apex environments', withField(example, 'spec.environments', [env('dev', { apex: true }), env('prd', { apex: true })]), 'spec.environments[1].apex'],
  ['no pool and an environment without addressSpace', withField(example, 'spec.addressPool', undefined), 'spec.addressPool'],
  [
    'an existing hub whose gateway subnet is elsewhere',
    withField(example, 'spec.hub', {
      addressSpace: '10.100.0.0/22',
      existing: {
        virtualNetworkId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub',
        applicationGatewaySubnetId:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/other/subnets/gw',
      },
    }),
    'spec.hub.existing.applicationGatewaySubnetId',
  ],
  // Values Azure refuses, which a schema alone would pass.
  [
    'a VNet ID whose subscription is not a GUID',
    withField(example, 'spec.hub', {
      addressSpace: '10.100.0.0/22',
      existing: {
        virtualNetworkId: '/subscriptions/contoso/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub',
        applicationGatewaySubnetId: '/subscriptions/contoso/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub/subnets/gw',
      },
    }),
    'spec.hub.existing.virtualNetworkId',
  ],
  ['a tag name Azure refuses', withField(example, 'spec.tags', { 'cost/centre': 'ict' }), 'spec.tags["cost/centre"]'],
  // Azure compares tag names without regard to case.
  ['a tag the package sets, in another case', withField(example, 'spec.tags', { 'Managed-By': 'me' }), 'spec.tags["Managed-By"]'],
  ['two tags Azure reads as one', withField(example, 'spec.tags', { CostCentre: 'a', costcentre: 'b' }), 'spec.tags["costcentre"]'],
  // With the package's own (up to 4 on a storage account), more would pass Azure's 50.
  [
    'more tags than leave room for the package’s',
    withField(example, 'spec.tags', Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`t${i}`, 'x']))),
    'spec.tags',
  ],
  ['a region Azure does not have', withField(example, 'spec.region', 'uknorth'), 'spec.region'],
  ['a public hub range', withField(example, 'spec.hub.addressSpace', '20.100.0.0/22'), 'spec.hub.addressSpace'],
  ['a public spoke range', withField(example, 'spec.environments', [env('dev', { addressSpace: '52.1.0.0/20' })]), 'spec.environments[0].addressSpace'],
  // The group of its management network, which it does not own.
  ['a resource group an ID in the spec names', withField(example, 'spec.resourceGroupName', 'rg-k8tre-crossplane'), 'spec.resourceGroupName'],
  // DNS links are named after VNets; a zone holds one link of a name.
  [
    'a management network named like the hub',
    withField(example, 'spec.management', {
      virtualNetworkId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-mgmt/providers/Microsoft.Network/virtualNetworks/vnet-k8tre-hub',
      addressSpace: '10.200.0.0/22',
    }),
    'spec.management.virtualNetworkId',
  ],
  // A private zone linked to the VNets answers for every name under it.
  ['an internal domain that is a Microsoft domain', withField(example, 'spec.dns.internalDomain', 'azure.net'), 'spec.dns.internalDomain'],
  ['an internal domain under Entra ID’s', withField(example, 'spec.dns.internalDomain', 'k8tre.login.microsoftonline.com'), 'spec.dns.internalDomain'],
  ['a range straddling private space', withField(example, 'spec.addressPool.cidr', '172.0.0.0/11'), 'spec.addressPool.cidr'],
  // Names that would collide with what the package composes.
  ['an XR name too long for Azure names', withField(example, 'metadata.name', 'a-network-name-that-is-far-too-long'), 'metadata.name'],
  ['a hostile string in a name', withField(example, 'spec.environments', [env('dev"; rm -rf /\u0000')]), 'spec.environments[0].name'],
];

/** Every resource the example composes once settled (its spoke groups too), as Crossplane would observe it. */
function observedFromGoodRun(): Record<string, Json> {
  return settle(example, (manifest) => asObserved(manifest as Manifest)).observed;
}

describe('bad input', () => {
  const observed = observedFromGoodRun();

  it.each(cases)('%s gives a Fatal naming the field', (_, xr, field) => {
    const message = fatalMessage(run(xr));
    expect(message).toBeDefined();
    expect(message).toContain(`${field}:`);
  });

  it.each(cases)('%s drops no existing resource', (_, xr) => {
    const rsp = run(xr, observed);
    expect(fatalMessage(rsp)).toBeDefined();
    expect(desiredNames(rsp)).toEqual(Object.keys(observed).sort());
    // Held as observed: the same spec, without the status Crossplane owns.
    const group = desired(rsp, 'spokes-1');
    expect(group.spec).toEqual(observed['spokes-1']?.spec);
    expect(group.status).toBeUndefined();
  });

  it('refuses an apex zone that is a private-link zone for that reason: two zones of one name', () => {
    const apexIsVault = withField(withField(example, 'spec.dns.internalDomain', 'privatelink.vaultcore.azure.net'), 'spec.environments', [
      env('prd', { apex: true }),
    ]);
    expect(fatalMessage(run(apexIsVault))).toBe(
      'invalid input: spec.dns.internalDomain: makes privatelink.vaultcore.azure.net the zone of environment prd, which is the vault private-link zone',
    );
  });

  it('refuses a pool that straddles private space for that reason, not its form', () => {
    // 172.0.0.0/11 is well formed and holds all of 172.16.0.0/12, and public addresses besides.
    expect(fatalMessage(run(withField(example, 'spec.addressPool.cidr', '172.0.0.0/11')))).toContain('private address space');
  });

  it('quotes hostile input safely and briefly', () => {
    const message = fatalMessage(run(withField(example, 'spec.dns.publicZone', `${'x'.repeat(500)}\n\u001b[31m`))) ?? '';
    // eslint-disable-next-line no-control-regex -- the escape character is what must not get through
    expect(message).not.toMatch(/[\n\u001b]/);
    expect(message.length).toBeLessThan(300);
  });

  it('rejects a kind it does not compose', () => {
    expect(fatalMessage(run(withField(example, 'kind', 'XSomethingElse')))).toContain('kind:');
  });
});
