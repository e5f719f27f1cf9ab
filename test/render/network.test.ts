import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';
import type { NetworkStatus } from '../../functions/k8tre/network/status.js';
import { asObserved, lastRound, reconcileUntilSettled, toRound, treeComposed, writeObserved, type Manifest, type Round } from '../../scripts/lib/reconcile.js';
import { loadExample, withField } from '../support/function.js';
import { byName, expectValid, forProvider, observedAt, spokeOf, treeRounds, useRenderSession } from '../support/render.js';

// Renders examples/network/* through the real `crossplane composition render` (CLI v2.5.0,
// core v2.3.4 engine) and our function, reconcile after reconcile, and checks what matters.

const session = useRenderSession();
const names = (list: unknown) => (list as { name: string }[]).map((item) => item.name);
const status = (round: Round) => round.xr.status as NetworkStatus & { conditions: unknown[] };
const observedId = (manifest: Manifest | undefined) => observedAt(manifest, 'id');

const last = lastRound;

describe('examples/network/k8tre.yaml: the reference deployment', () => {
  let rounds: Round[];
  beforeAll(async () => {
    rounds = await reconcileUntilSettled(session(), 'examples/network/k8tre.yaml');
  });

  it("settles in four reconciles: network, then the Key Vault role and the monitoring, then the gateway, then the gateway's diagnostics", () => {
    expect(rounds).toHaveLength(5);
    const [first, second, third, fourth] = rounds;
    expect(first?.composed.has('gateway-identity')).toBe(true);
    expect(first?.composed.has('gateway-keyvault-secrets-user')).toBe(false);
    expect(first?.composed.has('gateway')).toBe(false);
    expect(JSON.stringify(status(first!).conditions)).toContain('Waiting for the gateway identity id-k8tre-appgw to report its ID');
    expect(second?.composed.has('gateway-keyvault-secrets-user')).toBe(true);
    expect(second?.composed.has('gateway')).toBe(false);
    expect(third?.composed.has('gateway')).toBe(true);
    // The monitoring lives in the network's resource group, so it waits for the group's ID; it is
    // told each gateway once the gateway reports its own, for its diagnostics and alert.
    expect(first?.composed.has('monitoring')).toBe(false);
    expect(second?.composed.get('monitoring')?.spec).toMatchObject({ gateways: [] });
    expect(fourth?.composed.get('monitoring')?.spec).toMatchObject({ gateways: [{ name: 'agw-k8tre' }] });
  });

  it('validates every round, its spoke groups’ and spokes’ too, against the provider CRDs and the XRDs, with no missing schema', async () => {
    await expectValid(
      treeRounds(rounds)
        .map((round) => round.stream)
        .join('\n---\n'),
    );
  });

  it('creates the hub with the gateway, firewall and management subnets at fixed offsets', () => {
    const { composed } = last(rounds);
    expect(forProvider(composed.get('hub-vnet')).addressSpace).toEqual(['10.100.0.0/22']);
    expect(forProvider(composed.get('hub-subnet-appgw')).addressPrefixes).toEqual(['10.100.0.0/24']);
    expect(forProvider(composed.get('hub-subnet-firewall')).addressPrefixes).toEqual(['10.100.1.0/26']);
    expect(forProvider(composed.get('hub-subnet-management')).addressPrefixes).toEqual(['10.100.1.64/26']);
    expect(composed.get('hub-subnet-firewall')?.metadata.annotations?.['crossplane.io/external-name']).toBe('AzureFirewallSubnet');
  });

  it('carves one spoke per environment from the pool, with the four subnets K8TRE expects', () => {
    const spoke = (env: string) => spokeOf(last(rounds), env);
    expect(['dev', 'stg', 'prd'].map((e) => forProvider(spoke(e).get('vnet')).addressSpace)).toEqual([
      ['10.110.0.0/20'],
      ['10.110.16.0/20'],
      ['10.110.32.0/20'],
    ]);
    expect(spoke('dev').get('vnet')?.metadata.annotations?.['crossplane.io/external-name']).toBe('vnet-k8tre-dev');
    const subnet = (role: string) => spoke('stg').get(`subnet-${role}`);
    expect(subnet('nodes')?.metadata.annotations?.['crossplane.io/external-name']).toBe('snet-clusternodes');
    expect(subnet('ingress')?.metadata.annotations?.['crossplane.io/external-name']).toBe('snet-clusteringressservices');
    expect(forProvider(subnet('pe'))).toMatchObject({
      addressPrefixes: ['10.110.24.0/23'],
      privateEndpointNetworkPolicies: 'Enabled',
      defaultOutboundAccessEnabled: false,
    });
    expect(forProvider(subnet('apiserver'))).toMatchObject({
      addressPrefixes: ['10.110.28.0/27'],
      delegation: [{ serviceDelegation: { name: 'Microsoft.ContainerService/managedClusters' } }],
    });
  });

  it('gives every spoke subnet an NSG and a route table, and associates both (a route table applies only once associated)', () => {
    const dev = spokeOf(last(rounds), 'dev');
    for (const role of ['nodes', 'pe', 'ingress', 'apiserver']) {
      expect(dev.get(`nsg-${role}`)?.kind).toBe('SecurityGroup');
      expect(dev.get(`nsg-${role}`)?.metadata.annotations?.['crossplane.io/external-name']).toBe(`nsg-k8tre-dev-${role}`);
      expect(dev.get(`rt-${role}`)?.kind).toBe('RouteTable');
      expect(forProvider(dev.get(`nsg-${role}-association`))).toEqual({
        subnetIdRef: { name: `k8tre-dev-spoke-subnet-${role}` },
        networkSecurityGroupIdRef: { name: `k8tre-dev-spoke-nsg-${role}` },
      });
      expect(dev.get(`rt-${role}-association`)?.kind).toBe('SubnetRouteTableAssociation');
      expect(forProvider(dev.get(`rt-${role}-association`))).toEqual({
        subnetIdRef: { name: `k8tre-dev-spoke-subnet-${role}` },
        routeTableIdRef: { name: `k8tre-dev-spoke-rt-${role}` },
      });
    }
  });

  // Azure's AllowVnetInBound admits every peered network; without a deny after them, allows
  // admit nothing they would not admit anyway.
  it('ends each known subnet’s NSG with a deny, after the allows AKS documents for API server VNet integration and the management networks', () => {
    const composed = new Map([
      ...['dev', 'mgmt'].flatMap((env) => [...spokeOf(last(rounds), env)].map(([key, m]): [string, Manifest] => [`spoke-${env}-${key}`, m])),
    ]);
    const rules = (key: string) =>
      (forProvider(composed.get(key)).securityRule as { name: string; priority: number; access: string }[]).map((r) => `${r.priority} ${r.access} ${r.name}`);
    expect(rules('spoke-dev-nsg-apiserver')).toEqual([
      '100 Allow allow-nodes-to-apiserver',
      '110 Allow allow-azure-load-balancer',
      '120 Allow allow-management-to-apiserver',
      '4096 Deny deny-all-inbound',
    ]);
    expect(byName(forProvider(composed.get('spoke-dev-nsg-apiserver')).securityRule, 'allow-nodes-to-apiserver')).toMatchObject({
      sourceAddressPrefix: '10.110.0.0/21',
      destinationAddressPrefix: '10.110.12.0/27',
      destinationPortRanges: ['443', '4443'],
    });
    expect(byName(forProvider(composed.get('spoke-dev-nsg-apiserver')).securityRule, 'allow-azure-load-balancer')).toMatchObject({
      sourceAddressPrefix: 'AzureLoadBalancer',
      destinationPortRange: '9988',
    });
    // The created hub's management subnet, the management spoke and the network Crossplane runs in, in address order.
    expect(byName(forProvider(composed.get('spoke-dev-nsg-apiserver')).securityRule, 'allow-management-to-apiserver')).toMatchObject({
      sourceAddressPrefixes: ['10.100.1.64/26', '10.110.48.0/20', '10.200.0.0/22'],
    });
    expect(rules('spoke-dev-nsg-pe')).toEqual(['100 Allow allow-nodes-to-endpoints', '110 Allow allow-management-to-endpoints', '4096 Deny deny-all-inbound']);
    expect(rules('spoke-dev-nsg-ingress')).toEqual(['100 Allow allow-gateway-to-ingress', '110 Allow allow-azure-load-balancer', '4096 Deny deny-all-inbound']);
    // Load-balanced traffic reaches the nodes with the frontend as destination: the nodes' NSG holds the line.
    expect(rules('spoke-dev-nsg-nodes')).toEqual(['100 Allow allow-gateway-to-ingress', '4096 Deny deny-vnet-to-ingress']);
    expect(byName(forProvider(composed.get('spoke-dev-nsg-nodes')).securityRule, 'allow-gateway-to-ingress')).toMatchObject({
      sourceAddressPrefix: '10.100.0.0/24',
      destinationAddressPrefix: '10.110.10.0/24',
      destinationPortRanges: ['443', '80'],
    });
    // The internal mgmt environment's gateway answers the management networks, not the public gateway.
    expect(byName(forProvider(composed.get('spoke-mgmt-nsg-nodes')).securityRule, 'allow-management-to-ingress')).toMatchObject({
      sourceAddressPrefixes: ['10.100.1.64/26', '10.110.48.0/20', '10.200.0.0/22'],
    });
  });

  // VNet peering is not transitive: what is peered only with the hub cannot reach a spoke.
  it('peers every spoke with the network Crossplane runs in, and the management spoke with every other spoke, both ways', () => {
    const { composed } = last(rounds);
    const dev = spokeOf(last(rounds), 'dev');
    expect(forProvider(dev.get('peering-to-management'))).toMatchObject({
      virtualNetworkNameRef: { name: 'k8tre-dev-spoke-vnet' },
      remoteVirtualNetworkId: expect.stringMatching(/virtualNetworks\/vnet-k8tre-crossplane$/),
    });
    expect(forProvider(dev.get('peering-from-management'))).toMatchObject({
      resourceGroupName: 'rg-k8tre-crossplane',
      virtualNetworkName: 'vnet-k8tre-crossplane',
      remoteVirtualNetworkIdRef: { name: 'k8tre-dev-spoke-vnet' },
    });
    expect(forProvider(composed.get('dns-link-aks-management'))).toMatchObject({
      privateDnsZoneNameRef: { name: 'k8tre-dns-zone-aks' },
      virtualNetworkId: expect.stringMatching(/vnet-k8tre-crossplane$/),
    });
    // Each other spoke holds both peerings with the management spoke, which holds none itself: one spoke's resources stay bounded.
    const spokePeerings = ['dev', 'stg', 'prd', 'mgmt'].flatMap((env) =>
      [...spokeOf(last(rounds), env).values()]
        .filter((m) => m.kind === 'VirtualNetworkPeering')
        .map((m) => m.metadata.annotations?.['crossplane.io/external-name'] ?? ''),
    );
    expect(spokePeerings.filter((name) => name.includes('-to-spoke-')).sort()).toEqual([
      'peer-dev-to-spoke-mgmt',
      'peer-mgmt-to-spoke-dev',
      'peer-mgmt-to-spoke-prd',
      'peer-mgmt-to-spoke-stg',
      'peer-prd-to-spoke-mgmt',
      'peer-stg-to-spoke-mgmt',
    ]);
    expect(forProvider(spokeOf(last(rounds), 'stg').get('peering-from-management-spoke'))).toMatchObject({
      resourceGroupName: 'rg-k8tre-network',
      virtualNetworkName: 'vnet-k8tre-mgmt',
      remoteVirtualNetworkIdRef: { name: 'k8tre-stg-spoke-vnet' },
    });
    expect(forProvider(spokeOf(last(rounds), 'stg').get('peering-to-management-spoke'))).toMatchObject({
      virtualNetworkNameRef: { name: 'k8tre-stg-spoke-vnet' },
      remoteVirtualNetworkIdRef: { name: 'k8tre-mgmt-spoke-vnet' },
    });
  });

  it('peers each spoke with the hub in both directions', () => {
    const prd = spokeOf(last(rounds), 'prd');
    expect(forProvider(prd.get('peering-to-hub'))).toMatchObject({
      virtualNetworkNameRef: { name: 'k8tre-prd-spoke-vnet' },
      remoteVirtualNetworkIdRef: { name: 'k8tre-hub-vnet' },
      allowForwardedTraffic: true,
    });
    expect(forProvider(prd.get('peering-from-hub'))).toMatchObject({
      resourceGroupName: 'rg-k8tre-network',
      virtualNetworkName: 'vnet-k8tre-hub',
      remoteVirtualNetworkIdRef: { name: 'k8tre-prd-spoke-vnet' },
    });
  });

  it('creates the private-link zones and split-horizon zones, linked without registration', () => {
    const composed = treeComposed(last(rounds));
    const zones = [...composed.values()].filter((m) => m.kind === 'PrivateDNSZone').map((m) => m.metadata.annotations?.['crossplane.io/external-name']);
    expect(zones.sort()).toEqual(
      [
        'privatelink.uksouth.azmk8s.io',
        'privatelink.blob.core.windows.net',
        'privatelink.file.core.windows.net',
        'privatelink.queue.core.windows.net',
        'privatelink.table.core.windows.net',
        'privatelink.dfs.core.windows.net',
        'privatelink.vaultcore.azure.net',
        'dev.karectl.org',
        'stg.karectl.org',
        'karectl.org',
        'mgmt.karectl.org',
      ].sort(),
    );
    const links = [...composed.values()].filter((m) => m.kind === 'PrivateDNSZoneVirtualNetworkLink');
    // Shared zones: hub, 4 spokes and the Crossplane network; each environment zone: hub + its own spoke.
    expect(links).toHaveLength(7 * 6 + 4 * 2);
    for (const link of links) expect(forProvider(link).registrationEnabled).toBe(false);
    expect([...spokeOf(last(rounds), 'dev').keys()].filter((key) => key.startsWith('dns-'))).toEqual([
      'dns-link-aks',
      'dns-link-blob',
      'dns-link-dfs',
      'dns-link-file',
      'dns-link-queue',
      'dns-link-table',
      'dns-link-vault',
      'dns-zone',
      'dns-zone-link',
      'dns-zone-link-hub',
    ]);
  });

  // Azure refuses a new inline wafConfiguration on WAF_v2 since 2025-03-15 and retires the
  // existing ones on 2027-03-15; a policy is what it accepts.
  it('composes a WAF policy (Default Rule Set 2.2, Bot Manager, Prevention) and attaches it by ID, never the inline configuration', () => {
    const [first] = rounds;
    expect(first?.composed.has('gateway-waf-policy')).toBe(true);
    const policy = last(rounds).composed.get('gateway-waf-policy');
    expect(policy?.metadata.annotations?.['crossplane.io/external-name']).toBe('waf-k8tre');
    expect(forProvider(policy)).toMatchObject({
      location: 'uksouth',
      policySettings: { enabled: true, mode: 'Prevention', requestBodyCheck: true },
      managedRules: {
        managedRuleSet: [
          { type: 'Microsoft_DefaultRuleSet', version: '2.2' },
          { type: 'Microsoft_BotManagerRuleSet', version: '1.1' },
        ],
      },
    });
    expect(forProvider(last(rounds).composed.get('gateway')).wafConfiguration).toBeUndefined();
    expect(status(last(rounds)).gateway.wafPolicyId).toBe(observedId(policy));
  });

  it('gives the internal-only mgmt environment a spoke and zone but no public listener', () => {
    const { composed } = last(rounds);
    const mgmt = spokeOf(last(rounds), 'mgmt');
    expect(forProvider(mgmt.get('vnet')).addressSpace).toEqual(['10.110.48.0/20']);
    expect(mgmt.get('dns-zone')?.metadata.annotations?.['crossplane.io/external-name']).toBe('mgmt.karectl.org');
    expect(JSON.stringify(forProvider(composed.get('gateway')))).not.toContain('mgmt');
  });

  it('builds one WAF_v2 gateway with a listener set per environment', () => {
    const gateway = forProvider(last(rounds).composed.get('gateway'));
    const identity = last(rounds).composed.get('gateway-identity');
    expect(gateway).toMatchObject({
      sku: { name: 'WAF_v2', tier: 'WAF_v2' },
      autoscaleConfiguration: { minCapacity: 2, maxCapacity: 3 },
      zones: ['1', '2', '3'],
      identity: { type: 'UserAssigned', identityIds: [observedId(identity)] },
      firewallPolicyId: observedId(last(rounds).composed.get('gateway-waf-policy')),
      forceFirewallPolicyAssociation: true,
      sslPolicy: { policyType: 'Predefined', policyName: 'AppGwSslPolicy20220101S' },
      gatewayIpConfiguration: [{ subnetIdRef: { name: 'k8tre-hub-subnet-appgw' } }],
      frontendIpConfiguration: [{ publicIpAddressIdRef: { name: 'k8tre-gateway-public-ip' } }],
    });
    expect(names(gateway.httpListener)).toEqual(['listener-https-dev', 'listener-https-prd', 'listener-https-stg', 'listener-http']);
    expect(byName(gateway.httpListener, 'listener-https-prd')).toMatchObject({
      protocol: 'Https',
      hostNames: ['karectl.org', '*.karectl.org'],
      sslCertificateName: 'ssl-cert-prd',
      requireSni: true,
    });
    // The HTTP listener and its redirect: test/function/gateway-composer.test.ts.
    expect(byName(gateway.backendAddressPool, 'backendpool-stg')).toEqual({ name: 'backendpool-stg', fqdns: ['gw.stg.karectl.org'] });
    expect(byName(gateway.probe, 'health-probe-prd')).toMatchObject({
      protocol: 'Https',
      host: 'gw.karectl.org',
      path: '/',
      interval: 30,
      timeout: 30,
      unhealthyThreshold: 3,
    });
    expect(byName(gateway.backendHttpSettings, 'https-settings-dev')).toMatchObject({
      port: 443,
      protocol: 'Https',
      probeName: 'health-probe-dev',
      pickHostNameFromBackendAddress: false,
    });
    expect(byName(gateway.sslCertificate, 'ssl-cert-stg')).toEqual({
      name: 'ssl-cert-stg',
      keyVaultSecretId: 'https://kv-k8tre-certs.vault.azure.net/secrets/tls-stg-pfx',
    });
    expect(gateway.rewriteRuleSet).toBeUndefined();
  });

  it('routes HTTPS with priorities that belong to each environment, the apex (*.karectl.org) after the others, and redirects HTTP last', () => {
    const rules = forProvider(last(rounds).composed.get('gateway')).requestRoutingRule as {
      name: string;
      priority: number;
      redirectConfigurationName?: string;
    }[];
    expect(Object.fromEntries(rules.map((r) => [r.name, r.priority]))).toEqual({
      'rule-dev': 10,
      'rule-prd': 10_030,
      'rule-stg': 20,
      'rule-http': 20_000,
    });
    expect(byName(rules, 'rule-http')).toMatchObject({ redirectConfigurationName: 'redirect-to-https' });
  });

  it('grants the gateway identity Key Vault Secrets User on the certificate vault, and nothing wider', () => {
    const [, second] = rounds;
    const identity = asObserved(second!.composed.get('gateway-identity')!).status as { atProvider: { principalId: string } };
    expect(forProvider(second!.composed.get('gateway-keyvault-secrets-user'))).toMatchObject({
      principalId: identity.atProvider.principalId,
      roleDefinitionName: 'Key Vault Secrets User',
      scope: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-k8tre-certs/providers/Microsoft.KeyVault/vaults/kv-k8tre-certs',
    });
  });

  it('reports IDs, CIDRs, zones, the public IP and the listener hosts in status', () => {
    const s = status(last(rounds));
    expect(s.hub).toMatchObject({ addressSpace: '10.100.0.0/22', applicationGatewaySubnet: { cidr: '10.100.0.0/24' } });
    expect(s.hub.virtualNetworkId).toMatch(/^\/subscriptions\/00000000-/);
    const prd = s.environments.find((e) => e.name === 'prd');
    expect(prd).toMatchObject({
      addressSpace: '10.110.32.0/20',
      publicDomain: 'karectl.org',
      internalDomain: 'karectl.org',
      routingPriority: 10_030,
      routingSlot: 3,
    });
    expect(prd?.subnets.nodes).toMatchObject({ name: 'snet-clusternodes', cidr: '10.110.32.0/21' });
    expect(prd?.subnets.nodes.id).toMatch(/prd-spoke-subnet-nodes$/);
    expect(prd?.dnsZone.id).toBeDefined();
    expect(s.privateDnsZones).toHaveLength(7);
    expect(s.gateway).toMatchObject({ publicIpAddress: '203.0.113.10' });
    expect(s.gateway.listeners.find((l) => l.environment === 'dev')).toMatchObject({
      hosts: ['dev.karectl.org', '*.dev.karectl.org'],
      backend: 'gw.dev.karectl.org',
    });
    expect(JSON.stringify(s.conditions)).toMatch(/"type":"GatewayComposed"[^}]*"status":"True"|"status":"True"[^}]*"type":"GatewayComposed"/);
  });

  it('keeps every other environment where it was when one is removed and another inserted', async () => {
    const settled = last(rounds);
    const work = mkdtempSync(join(tmpdir(), 'k8tre-change-'));
    const observedDir = writeObserved(settled, join(work, 'observed'));
    const changed = withField(settled.xr, 'spec.environments', [
      { name: 'uat' },
      { name: 'prd', apex: true },
      { name: 'dev' },
      { name: 'mgmt', exposed: false },
    ]);
    writeFileSync(join(work, 'xr.yaml'), toKubernetesYaml(changed));

    const result = await session().render(join(work, 'xr.yaml'), ['--observed-resources', observedDir]);
    expect(result.ok, result.stderr).toBe(true);
    const next = toRound(result.stdout);
    await expectValid(result.stdout);
    // The spokes as the network tells its group: each keeps its ranges.
    type Told = { environment: string; addressSpace: string; subnets: Record<string, string> };
    const spokes = (round: Round) =>
      new Map((round.composed.get('spokes-1')?.spec as { spokes: { spec: Told }[] }).spokes.map((s) => [s.spec.environment, s.spec]));
    for (const env of ['dev', 'prd', 'mgmt']) {
      expect(spokes(next).get(env)?.addressSpace).toBe(spokes(settled).get(env)?.addressSpace);
      expect(spokes(next).get(env)?.subnets).toEqual(spokes(settled).get(env)?.subnets);
    }
    // stg's spoke still exists until its group drops it, so uat does not take its range yet.
    expect(spokes(next).get('uat')).toMatchObject({ addressSpace: '10.110.64.0/20' });
    expect(spokes(next).has('stg')).toBe(false);
    const priorities = Object.fromEntries(
      (forProvider(next.composed.get('gateway')).requestRoutingRule as { name: string; priority: number }[]).map((r) => [r.name, r.priority]),
    );
    expect(priorities).toMatchObject({ 'rule-dev': 10, 'rule-prd': 10_030, 'rule-uat': 20 });
  });
});

describe('examples/network/existing-hub.yaml: a landing zone with its own hub', () => {
  let rounds: Round[];
  beforeAll(async () => {
    rounds = await reconcileUntilSettled(session(), 'examples/network/existing-hub.yaml');
  });

  it('validates every round', async () => {
    await expectValid(
      treeRounds(rounds)
        .map((round) => round.stream)
        .join('\n---\n'),
    );
  });

  it('creates no hub, and peers from the existing hub in its own resource group', () => {
    const { composed } = last(rounds);
    expect([...composed.keys()].filter((k) => k.startsWith('hub-'))).toEqual([]);
    const dev = spokeOf(last(rounds), 'dev');
    expect(forProvider(dev.get('peering-from-hub'))).toMatchObject({ resourceGroupName: 'rg-con-network', virtualNetworkName: 'vnet-con-hub' });
    expect(forProvider(dev.get('peering-to-hub')).remoteVirtualNetworkId).toMatch(/virtualNetworks\/vnet-con-hub$/);
    // The landing zone's hub keeps its own links to its private-link zones; the environment zones are new.
    expect(composed.has('dns-link-aks-hub')).toBe(false);
    expect(forProvider(dev.get('dns-zone-link-hub')).virtualNetworkId).toMatch(/virtualNetworks\/vnet-con-hub$/);
    expect(composed.get('resource-group')?.metadata.annotations?.['crossplane.io/external-name']).toBe('rg-k8tre-network');
    expect((composed.get('resource-group')?.spec as { providerConfigRef: unknown }).providerConfigRef).toEqual({
      kind: 'ProviderConfig',
      name: 'connectivity',
    });
  });

  it('uses the landing zone’s private-link zones as they are, links only the new spokes to them in their resource group, and reports their IDs', () => {
    const composed = treeComposed(last(rounds));
    const zones = [...composed.values()].filter((m) => m.kind === 'PrivateDNSZone').map((m) => m.metadata.annotations?.['crossplane.io/external-name']);
    expect(zones.sort()).toEqual(['dev.k8tre.example.org', 'mgmt.k8tre.example.org']);
    expect(forProvider(spokeOf(last(rounds), 'dev').get('dns-link-blob'))).toMatchObject({
      resourceGroupName: 'rg-con-dns',
      privateDnsZoneName: 'privatelink.blob.core.windows.net',
      virtualNetworkIdRef: { name: 'lz-dev-spoke-vnet' },
      registrationEnabled: false,
    });
    const aks = status(last(rounds)).privateDnsZones.find((z) => z.purpose === 'aks');
    expect(aks?.id).toMatch(/rg-con-dns\/providers\/Microsoft.Network\/privateDnsZones\/privatelink.westeurope.azmk8s.io$/);
  });

  it('keeps the explicit spoke and allocates the other around the hub', () => {
    expect(forProvider(spokeOf(last(rounds), 'mgmt').get('vnet')).addressSpace).toEqual(['172.20.0.0/20']);
    expect(forProvider(spokeOf(last(rounds), 'dev').get('vnet')).addressSpace).toEqual(['172.16.64.0/18']);
  });

  it('routes node egress through the hub firewall and stops BGP routes bypassing it', () => {
    const dev = spokeOf(last(rounds), 'dev');
    expect(forProvider(dev.get('rt-nodes'))).toMatchObject({
      bgpRoutePropagationEnabled: false,
      route: [{ addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopInIpAddress: '172.16.1.68' }],
    });
    expect(forProvider(dev.get('rt-pe')).route).toEqual([]);
  });

  it('attaches the given WAF policy instead of the inline configuration', () => {
    const gateway = forProvider(last(rounds).composed.get('gateway'));
    expect(gateway).toMatchObject({
      firewallPolicyId: expect.stringMatching(/wafp-k8tre$/),
      forceFirewallPolicyAssociation: true,
      autoscaleConfiguration: { minCapacity: 2, maxCapacity: 10 },
    });
    expect(gateway.wafConfiguration).toBeUndefined();
    expect(last(rounds).composed.has('gateway-waf-policy')).toBe(false);
    expect(gateway.gatewayIpConfiguration).toEqual([{ name: 'appGatewayIpConfig', subnetId: expect.stringMatching(/subnets\/PublicGatewaySubnet$/) }]);
  });
});

describe('examples/network/internal-domain.yaml: internal names behind public ones', () => {
  let rounds: Round[];
  beforeAll(async () => {
    rounds = await reconcileUntilSettled(session(), 'examples/network/internal-domain.yaml');
  });

  it('validates every round', async () => {
    await expectValid(
      treeRounds(rounds)
        .map((round) => round.stream)
        .join('\n---\n'),
    );
  });

  it('puts the private zones under the internal domain and the backends there', () => {
    const { composed } = last(rounds);
    expect(spokeOf(last(rounds), 'dev').get('dns-zone')?.metadata.annotations?.['crossplane.io/external-name']).toBe('dev.k8tre.internal');
    expect(spokeOf(last(rounds), 'prd').get('dns-zone')?.metadata.annotations?.['crossplane.io/external-name']).toBe('k8tre.internal');
    const gateway = forProvider(composed.get('gateway'));
    expect(byName(gateway.backendAddressPool, 'backendpool-dev')).toMatchObject({ fqdns: ['gw.dev.k8tre.internal'] });
    expect(byName(gateway.httpListener, 'listener-https-dev')).toMatchObject({ hostNames: ['dev.karectl.dev', '*.dev.karectl.dev'] });
    expect(byName(gateway.sslCertificate, 'ssl-cert-prd')).toMatchObject({ keyVaultSecretId: 'https://kv-k8tre-certs.vault.azure.net/secrets/tls-apex-pfx' });
  });

  it('attaches a rewrite rule set per environment to its HTTPS rule only', () => {
    const gateway = forProvider(last(rounds).composed.get('gateway'));
    expect(names(gateway.rewriteRuleSet)).toEqual(['rewrite-dev', 'rewrite-prd']);
    expect(byName(gateway.requestRoutingRule, 'rule-dev')).toMatchObject({ rewriteRuleSetName: 'rewrite-dev' });
    expect(byName(gateway.requestRoutingRule, 'rule-http')).not.toHaveProperty('rewriteRuleSetName');
    const rules = (gateway.rewriteRuleSet as { name: string; rewriteRule: { name: string }[] }[]).find((set) => set.name === 'rewrite-dev')?.rewriteRule;
    expect(names(rules)).toEqual([
      'rewrite-host-jupyter',
      'rewrite-host-opal',
      'rewrite-host-keycloak',
      'rewrite-location-jupyter',
      'rewrite-location-opal',
      'rewrite-location-keycloak',
      'rewrite-location-redirect-uri-jupyter',
      'rewrite-request-uri-jupyter',
    ]);
  });
});

describe('render of bad input through the CLI', () => {
  it('exits non-zero and shows the Fatal message naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8tre-bad-'));
    const file = join(dir, 'xr.yaml');
    writeFileSync(
      file,
      toKubernetesYaml(
        withField(loadExample('examples/network/k8tre.yaml'), 'spec.environments', [
          { name: 'dev', addressSpace: '10.1.0.0/16' },
          { name: 'stg', addressSpace: '10.1.16.0/20' },
        ]),
      ),
    );
    const result = await session().render(file);
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('spec.environments[1].addressSpace: 10.1.16.0/20 overlaps spec.environments[0] (dev, 10.1.0.0/16)');
  });
});
