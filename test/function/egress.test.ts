import { describe, expect, it } from 'vitest';
import { AKS_REQUIRED_FQDNS, DEFAULT_ALLOWED_FQDNS, RULE_GROUPS } from '../../functions/k8tre/firewall/api.js';
import { keys as firewallKeys } from '../../functions/k8tre/firewall/compose-firewall.js';
import { keys as clusterKeys } from '../../functions/k8tre/cluster/naming.js';
import { keys as spokeKeys } from '../../functions/k8tre/spoke/naming.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { desired, fatalMessage, loadExample, loadExamples, run, runWithRequired, settle, spokeOf, status, withField, type Json } from '../support/function.js';

// Egress through the hub (network/egress.ts, firewall/, spoke NAT gateways): where spoke nodes'
// traffic leaves, and the order that makes it safe: the firewall and its rules, then the spoke's
// route, then a cluster told userDefinedRouting. Each step waits for the one before across
// reconciles, as Crossplane calls the function while Azure creates them.

type Observe = (manifest: Json) => Json;
const observe: Observe = (manifest) => asObserved(manifest as Manifest);
const forProvider = (m: Json | undefined) => (m?.spec as { forProvider: Json }).forProvider;
const childOf = (tree: Record<string, Json>, prefix: string) =>
  Object.fromEntries(Object.entries(tree).flatMap(([name, m]) => (name.startsWith(prefix) ? [[name.slice(prefix.length), m]] : [])));
const environments = (xr: Json) => (xr.status as { environments: { name: string; outboundType?: string }[] }).environments;

const firewallNetwork = loadExample('examples/network/egress.yaml');
const reference = loadExample('examples/network/k8tre.yaml');
const devCluster = loadExamples('examples/network/egress.yaml')[1] ?? {};

/** Azure still creating the firewall: it exists, with no private IP reported yet. */
const firewallStillCreating: Observe = (manifest) => {
  const seen = observe(manifest);
  if (manifest.kind !== 'Firewall') return seen;
  const atProvider = (seen.status as { atProvider: Json }).atProvider;
  return { ...seen, status: { ...(seen.status as Json), atProvider: { ...atProvider, ipConfiguration: [] } } };
};

describe('a firewall in the hub (egress.firewall)', () => {
  const settled = settle(firewallNetwork, observe);
  const firewall = childOf(settled.tree, 'firewall/');
  const firewallXr = settled.tree['firewall'] as Json;

  it("composes an XK8treFirewall with the hub's AzureFirewallSubnet of its own, keeping the network within the tree's bound", () => {
    expect(firewallXr.kind).toBe('XK8treFirewall');
    expect(settled.tree['hub-subnet-firewall']).toBeUndefined();
    expect(forProvider(firewall[firewallKeys.subnet])).toMatchObject({ virtualNetworkName: 'vnet-secure-hub', addressPrefixes: ['10.100.1.0/26'] });
    expect((forProvider(firewall[firewallKeys.firewall]) as { ipConfiguration: Json[] }).ipConfiguration[0]).toMatchObject({
      subnetIdRef: { name: expect.stringMatching(/-subnet$/) },
    });
    // Standard needs no management subnet; Basic does (below).
    expect(firewall[firewallKeys.managementSubnet]).toBeUndefined();
  });

  it('takes the AzureFirewallSubnet a network made before (hub.firewallSubnet) by its ID, rather than make a second', () => {
    const before = settle(reference, observe);
    const rsp = run(withField(reference, 'spec.egress', { firewall: {} }), before.observed);
    expect((desired(rsp, 'firewall').spec as { subnets: Json }).subnets).toEqual({
      firewall: { cidr: '10.100.1.0/26', existingId: (before.observed['hub-subnet-firewall']?.status as { atProvider: { id: string } }).atProvider.id },
    });
    expect(Object.keys(rsp.desired?.resources ?? {})).toContain('hub-subnet-firewall');
  });

  it("admits AKS's FQDN tag and required names, the API server tunnel and NTP, from the spoke pool only", () => {
    const aks = forProvider(firewall[firewallKeys.ruleGroup('aks')]) as {
      priority: number;
      networkRuleCollection: { rule: Json[] }[];
      applicationRuleCollection: { rule: { destinationFqdnTags?: string[]; destinationFqdns?: string[]; sourceAddresses: string[] }[] }[];
    };
    expect(aks.priority).toBe(RULE_GROUPS.aks.priority);
    expect(aks.networkRuleCollection[0]?.rule).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ destinationAddresses: ['AzureCloud.uksouth'], destinationPorts: ['1194'], protocols: ['UDP'] }),
        expect.objectContaining({ destinationAddresses: ['AzureCloud.uksouth'], destinationPorts: ['9000'], protocols: ['TCP'] }),
        expect.objectContaining({ destinationPorts: ['123'], protocols: ['UDP'] }),
      ]),
    );
    const rules = aks.applicationRuleCollection[0]?.rule ?? [];
    expect(rules.find((r) => r.destinationFqdnTags)?.destinationFqdnTags).toEqual(['AzureKubernetesService']);
    expect(rules.flatMap((r) => r.destinationFqdns ?? [])).toEqual(expect.arrayContaining([...AKS_REQUIRED_FQDNS]));
    for (const rule of rules) expect(rule.sourceAddresses).toEqual(['10.110.0.0/16']);
  });

  it('admits what K8TRE pulls as the XR lists it, over HTTPS only', () => {
    const k8tre = forProvider(firewall[firewallKeys.ruleGroup('k8tre')]) as { applicationRuleCollection: { rule: Json[] }[] };
    expect(k8tre.applicationRuleCollection[0]?.rule[0]).toMatchObject({
      protocols: [{ type: 'Https', port: 443 }],
      destinationFqdns: (firewallNetwork.spec as { egress: { firewall: { allowedFqdns: string[] } } }).egress.firewall.allowedFqdns,
    });
  });

  it('denies known-malicious traffic with a Standard policy, and sends its rule logs to the network workspace', () => {
    expect(forProvider(firewall[firewallKeys.policy])).toMatchObject({ sku: 'Standard', threatIntelligenceMode: 'Deny' });
    expect(forProvider(firewall[firewallKeys.firewall])).toMatchObject({
      skuName: 'AZFW_VNet',
      skuTier: 'Standard',
      firewallPolicyId: expect.stringContaining('policy'),
    });
    expect(forProvider(firewall[firewallKeys.diagnostics])).toMatchObject({
      targetResourceId: expect.stringContaining('firewall'),
      logAnalyticsWorkspaceId: (settled.xr.status as { monitoring: { logAnalyticsWorkspaceId: string } }).monitoring.logAnalyticsWorkspaceId,
    });
  });

  it("routes every spoke's node subnet, and only it, to the firewall's private IP, with no learned route bypassing it", () => {
    for (const env of ['dev', 'prd']) {
      const spoke = spokeOf(settled.tree, env);
      expect(forProvider(spoke[spokeKeys.routeTable('nodes')])).toMatchObject({
        bgpRoutePropagationEnabled: false,
        route: [{ addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopInIpAddress: '10.100.1.4' }],
      });
      expect(forProvider(spoke[spokeKeys.routeTable('privateEndpoints')]).route).toEqual([]);
    }
  });

  it('tells every environment userDefinedRouting, and a cluster creates AKS with it', () => {
    expect(environments(settled.xr).map((e) => e.outboundType)).toEqual(['userDefinedRouting', 'userDefinedRouting']);
    const cluster = settle(devCluster, observe, { network: [settled.xr] });
    expect((forProvider(cluster.tree[clusterKeys.cluster]) as { networkProfile: Json }).networkProfile).toMatchObject({ outboundType: 'userDefinedRouting' });
  });
});

describe('the order on first apply, across reconciles', () => {
  // Azure takes minutes over a firewall; until it reports its IP, nothing routes through it.
  const creating = settle(firewallNetwork, firewallStillCreating);

  it('waits for the firewall policy before the firewall, which names it by ID', () => {
    const first = run(desired(run(firewallNetwork, creating.observed), 'firewall'));
    expect(Object.keys(first.desired?.resources ?? {})).toEqual(expect.arrayContaining([firewallKeys.policy, firewallKeys.ruleGroup('aks')]));
    expect(Object.keys(first.desired?.resources ?? {})).not.toContain(firewallKeys.firewall);
  });

  it('gives no spoke a route, says what it waits for, and tells no cluster an outbound type, while the firewall is created', () => {
    expect(forProvider(spokeOf(creating.tree, 'dev')[spokeKeys.routeTable('nodes')]).route).toEqual([]);
    expect(environments(creating.xr).every((e) => e.outboundType === undefined)).toBe(true);
    const rsp = run(creating.xr, creating.observed);
    expect(rsp.conditions.find((c) => c.type === 'EgressReady')?.message).toContain('hub firewall');
  });

  it('keeps a cluster from creating AKS until its spoke routes through the firewall', () => {
    const rsp = runWithRequired(devCluster, { network: [creating.xr] });
    expect(Object.keys(rsp.desired?.resources ?? {})).not.toContain(clusterKeys.cluster);
    expect(rsp.conditions.find((c) => c.type === 'NetworkReady')?.message).toContain('egress path');
  });

  it("waits for the route to be in Azure, not only in the spoke's spec, before telling the cluster", () => {
    const settled = settle(firewallNetwork, observe);
    const dev = spokeOf(settled.tree, 'dev');
    const spokeXr = Object.entries(settled.tree).find(([name]) => /^spokes-1\/dev$/.test(name))?.[1];
    expect(spokeXr).toBeDefined();
    // The route table as Azure had it before the provider's update landed.
    const routeTable = dev[spokeKeys.routeTable('nodes')] as Json;
    const before = {
      ...routeTable,
      status: { ...(routeTable.status as Json), atProvider: { ...(routeTable.status as { atProvider: Json }).atProvider, route: [] } },
    };
    expect(status(run(spokeXr as Json, { ...dev, [spokeKeys.routeTable('nodes')]: before })).outboundType).toBeUndefined();
    expect(status(run(spokeXr as Json, dev)).outboundType).toBe('userDefinedRouting');
  });
});

describe('the other ways out', () => {
  const cases: { name: string; egress: Json; outboundType: string; nodes: (spoke: Record<string, Json>) => void }[] = [
    {
      name: "an organisation's own firewall (nextHopIp): a route to it, told at once",
      egress: { nextHopIp: '10.100.1.68' },
      outboundType: 'userDefinedRouting',
      nodes: (spoke) => {
        expect(forProvider(spoke[spokeKeys.routeTable('nodes')]).route).toEqual([expect.objectContaining({ nextHopInIpAddress: '10.100.1.68' })]);
        expect(spoke[spokeKeys.natGateway]).toBeUndefined();
      },
    },
    {
      name: 'a NAT gateway per spoke, with a static IP, on the node subnet only; no default route',
      egress: { natGateway: { idleTimeoutInMinutes: 10 } },
      outboundType: 'userAssignedNATGateway',
      nodes: (spoke) => {
        expect(forProvider(spoke[spokeKeys.natGateway])).toMatchObject({ skuName: 'Standard', idleTimeoutInMinutes: 10 });
        expect(forProvider(spoke[spokeKeys.natPublicIp])).toMatchObject({ sku: 'Standard', allocationMethod: 'Static' });
        expect(forProvider(spoke[spokeKeys.natGatewayAssociation])).toMatchObject({ subnetIdRef: { name: expect.stringMatching(/subnet-nodes$/) } });
        expect(forProvider(spoke[spokeKeys.routeTable('nodes')]).route).toEqual([]);
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const network = settle(withField(reference, 'spec.egress', c.egress), observe);
      c.nodes(spokeOf(network.tree, 'dev'));
      expect(environments(network.xr).every((e) => e.outboundType === c.outboundType)).toBe(true);
      const cluster = settle(loadExample('examples/cluster/dev.yaml'), observe, { network: [network.xr] });
      expect((forProvider(cluster.tree[clusterKeys.cluster]) as { networkProfile: Json }).networkProfile.outboundType).toBe(c.outboundType);
    });
  }

  it('leaves clusters on their load balancer without egress', () => {
    const network = settle(reference, observe);
    expect(environments(network.xr).every((e) => e.outboundType === undefined)).toBe(true);
    const cluster = settle(loadExample('examples/cluster/dev.yaml'), observe, { network: [network.xr] });
    expect((forProvider(cluster.tree[clusterKeys.cluster]) as { networkProfile: Json }).networkProfile.outboundType).toBe('loadBalancer');
  });

  it('adds AzureFirewallManagementSubnet and a management IP for a Basic firewall, which alerts only', () => {
    const settled = settle(withField(firewallNetwork, 'spec.egress.firewall', { tier: 'Basic' }), observe);
    const firewall = childOf(settled.tree, 'firewall/');
    expect(forProvider(firewall[firewallKeys.managementSubnet])).toMatchObject({ addressPrefixes: ['10.100.1.128/26'] });
    expect(forProvider(firewall[firewallKeys.policy])).toMatchObject({ sku: 'Basic', threatIntelligenceMode: 'Alert' });
    expect(forProvider(firewall[firewallKeys.firewall])).toMatchObject({
      skuTier: 'Basic',
      managementIpConfiguration: {
        subnetIdRef: { name: expect.stringMatching(/-management-subnet$/) },
        publicIpAddressId: expect.stringContaining('management-public-ip'),
      },
    });
    // Without a list, the defaults.
    const k8tre = forProvider(firewall[firewallKeys.ruleGroup('k8tre')]) as { applicationRuleCollection: { rule: { destinationFqdns: string[] }[] }[] };
    expect(k8tre.applicationRuleCollection[0]?.rule[0]?.destinationFqdns).toEqual([...DEFAULT_ALLOWED_FQDNS]);
  });
});

describe('day 2: turning egress on for a live platform', () => {
  const before = settle(reference, observe);
  const liveCluster = settle(loadExample('examples/cluster/dev.yaml'), observe, { network: [before.xr] });
  const withFirewall = withField(reference, 'spec.egress', { firewall: {} });

  it('holds a live cluster as it is, on its load balancer, while the firewall is created', () => {
    const creating = run(withFirewall, before.observed);
    const rsp = runWithRequired(loadExample('examples/cluster/dev.yaml'), { network: [{ ...withFirewall, status: status(creating) }] }, liveCluster.observed);
    expect(rsp.conditions.find((c) => c.type === 'NetworkReady')?.message).toContain('egress path');
    const aks = rsp.desired?.resources?.[clusterKeys.cluster]?.resource as Json;
    expect((forProvider(aks) as { networkProfile: Json }).networkProfile.outboundType).toBe('loadBalancer');
  });

  it('keeps every network resource under its name on the first reconcile after the edit, adding only the firewall', () => {
    // What the spokes gain is checked through the CLI, step by step (test/day2.test.ts).
    const rsp = run(withFirewall, before.observed);
    const externalName = (m: Json | undefined) =>
      (m?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.['crossplane.io/external-name'];
    const next = Object.fromEntries(Object.entries(rsp.desired?.resources ?? {}).map(([key, r]) => [key, r.resource as Json]));
    for (const [key, manifest] of Object.entries(before.observed)) {
      expect(next[key], key).toBeDefined();
      expect(externalName(next[key]), key).toBe(externalName(manifest));
    }
    expect(Object.keys(next).filter((key) => !(key in before.observed))).toEqual(['firewall']);
  });

  it('then switches the live cluster to userDefinedRouting in place, adding and removing nothing', () => {
    const after = settle(withFirewall, observe);
    const cluster = settle(loadExample('examples/cluster/dev.yaml'), observe, { network: [after.xr] });
    expect(Object.keys(cluster.tree).sort()).toEqual(Object.keys(liveCluster.tree).sort());
    const aks = forProvider(cluster.tree[clusterKeys.cluster]) as { networkProfile: Json };
    expect(aks.networkProfile.outboundType).toBe('userDefinedRouting');
  });
});

describe('what is refused', () => {
  const settled = settle(firewallNetwork, observe);
  const cases: { name: string; xr: Json; observed?: Record<string, Json>; field: string }[] = [
    { name: 'two ways out at once', xr: withField(firewallNetwork, 'spec.egress.nextHopIp', '10.0.0.4'), field: 'spec.egress' },
    {
      name: 'a firewall for a hub this XR does not create, which has no subnet of ours to hold it',
      xr: withField(loadExample('examples/network/existing-hub.yaml'), 'spec.egress', { firewall: {} }),
      field: 'spec.egress.firewall',
    },
    {
      name: 'an allowed name given as a URL, which an application rule does not match',
      xr: withField(firewallNetwork, 'spec.egress.firewall.allowedFqdns', ['https://ghcr.io']),
      field: 'spec.egress.firewall.allowedFqdns[0]',
    },
    {
      name: "a NAT idle timeout beyond Azure's 120 minutes",
      xr: withField(reference, 'spec.egress', { natGateway: { idleTimeoutInMinutes: 240 } }),
      field: 'spec.egress.natGateway.idleTimeoutInMinutes',
    },
    {
      name: 'removing a composed firewall, which would open every spoke’s egress',
      xr: withField(firewallNetwork, 'spec.egress', undefined),
      observed: settled.observed,
      field: 'spec.egress.firewall',
    },
    {
      name: 'changing a live firewall’s tier, which Azure does only by a new policy and firewall',
      xr: withField(firewallNetwork, 'spec.egress.firewall.tier', 'Basic'),
      observed: settled.observed,
      field: 'spec.egress.firewall.tier',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: names ${c.field}`, () => {
      const message = fatalMessage(run(c.xr, c.observed));
      expect(message).toBeDefined();
      expect(message).toContain(c.field);
    });
  }
});
