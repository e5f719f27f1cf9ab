import { describe, expect, it } from 'vitest';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { limits } from '../../functions/k8tre/network/api.js';
import { AKS_MINORS, CALENDAR_AS_OF, SUPPORTED_MINORS } from '../../functions/k8tre/cluster/aks-versions.js';
import { byName, forProvider } from '../support/manifest.js';
import {
  desired,
  desiredNames,
  fatalMessage,
  loadExample,
  run,
  runWithRequired,
  settle,
  status as status_,
  storesOf,
  composedStores,
  withField,
  type Json,
} from '../support/function.js';
import { runFunction } from '../../functions/k8tre/handler.js';
import { requestFor } from '../../scripts/lib/in-process.js';

// Azure's own rules, which the provider schemas do not know: what Azure refuses, stalls on or
// misroutes. Each case cites where the rule comes from and fails on output Azure would refuse.
// In-process, reconcile after reconcile; the render tests hold the same outputs through the CLI.

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
const network = loadExample('examples/network/k8tre.yaml');
const settledNetwork = settle(network, observe).xr;
const cluster = loadExample('examples/cluster/dev.yaml');
const required = { network: [settledNetwork] };
let devCluster: ReturnType<typeof settle> | undefined;
/** The dev cluster settled once on the example network; each caller gets a copy of its own to change. */
const settledCluster = () => structuredClone((devCluster ??= settle(cluster, observe, required)));

describe('the WAF policy (learn.microsoft.com/azure/web-application-firewall/ag/upgrade-ag-waf-policy)', () => {
  it('keeps the inline configuration of a gateway made before policies until the composed policy reports its ID, then attaches the policy', () => {
    // A gateway an earlier version made: inline WAF, no policy yet. Dropping the gateway, or its
    // firewall, while the new policy is created would leave the environments unprotected.
    const settled = settle(network, observe);
    const inline = { enabled: true, firewallMode: 'Prevention', ruleSetType: 'OWASP', ruleSetVersion: '3.2' };
    const legacyGateway = structuredClone(settled.observed.gateway!);
    const legacyFields = forProvider(legacyGateway);
    delete legacyFields.firewallPolicyId;
    delete legacyFields.forceFirewallPolicyAssociation;
    legacyFields.wafConfiguration = inline;
    const before: Record<string, Json> = { ...settled.observed, gateway: legacyGateway };
    delete before['gateway-waf-policy'];

    const upgrading = run(settled.xr, before);
    expect(forProvider(desired(upgrading, 'gateway'))).toMatchObject({ wafConfiguration: inline });
    expect(forProvider(desired(upgrading, 'gateway')).firewallPolicyId).toBeUndefined();
    expect(desired(upgrading, 'gateway-waf-policy').kind).toBe('WebApplicationFirewallPolicy');

    const policy = observe(desired(upgrading, 'gateway-waf-policy'));
    const attached = forProvider(desired(run(settled.xr, { ...before, 'gateway-waf-policy': policy }), 'gateway'));
    expect(attached.firewallPolicyId).toBe((policy.status as { atProvider: Json }).atProvider.id);
    expect(attached.wafConfiguration).toBeUndefined();
  });
});

describe('Kubernetes minors (learn.microsoft.com/azure/aks/supported-kubernetes-versions)', () => {
  const pastEndOfLife = AKS_MINORS.filter((m) => m.endOfLife < CALENDAR_AS_OF);
  const withVersion = (minor: string | undefined) => withField(cluster, 'spec.kubernetesVersion', minor);

  it('defaults to the newest minor AKS supports on the day the table was checked, and supports none past its end of life', () => {
    // On 2026-12-01 1.34 had just ended (2026-11-30) and 1.37 was the newest GA minor.
    expect(SUPPORTED_MINORS).toEqual(['1.35', '1.36', '1.37']);
    const aks = forProvider(settle(withVersion(undefined), observe, required).observed.aks);
    expect(aks.kubernetesVersion).toBe('1.37');
    expect((aks.defaultNodePool as Json).orchestratorVersion).toBe('1.37');
  });

  it.each(pastEndOfLife.map((m) => [m.minor, m.endOfLife]))('refuses %s for a new cluster, naming its end of life (%s)', (minor, endOfLife) => {
    const message = fatalMessage(runWithRequired(withVersion(minor), required));
    expect(message).toBe(
      `invalid input: spec.kubernetesVersion: ${minor} reached AKS end of life on ${endOfLife}; AKS supports ${SUPPORTED_MINORS.join(', ')}`,
    );
  });

  it('refuses a minor AKS does not offer at all', () => {
    expect(fatalMessage(runWithRequired(withVersion('1.38'), required))).toContain('spec.kubernetesVersion: 1.38 is not offered by AKS');
  });

  it('keeps reconciling a cluster already running a minor past its end of life, with a warning that names the date and the way out', () => {
    // Refusing would stop every other change to a live cluster; AKS lets an unsupported cluster
    // go straight to the lowest supported minor.
    const legacy = withVersion('1.32');
    const live = settle(withVersion(SUPPORTED_MINORS[0]), observe, required).observed;
    const aks = structuredClone(live.aks!);
    forProvider(aks).kubernetesVersion = '1.32';
    const rsp = runWithRequired(legacy, required, { ...live, aks });
    expect(fatalMessage(rsp)).toBeUndefined();
    expect(forProvider(desired(rsp, 'aks')).kubernetesVersion).toBe('1.32');
    const warning = rsp.results.find((r) => r.severity === Severity.SEVERITY_WARNING)?.message;
    expect(warning).toContain('1.32 reached AKS end of life on 2026-03-31');
    expect(warning).toContain(`Upgrade the cluster to ${SUPPORTED_MINORS[0]}`);

    // Moving it to another unsupported minor is refused like a new cluster would be.
    const stillPast = runWithRequired(withVersion('1.33'), required, { ...live, aks });
    expect(fatalMessage(stillPast)).toContain('1.33 reached AKS end of life on 2026-07-31');

    // Out of end of life it goes straight to the oldest supported minor, however far, and no further.
    expect(fatalMessage(runWithRequired(withVersion(SUPPORTED_MINORS[0]), required, { ...live, aks }))).toBeUndefined();
    expect(fatalMessage(runWithRequired(withVersion(SUPPORTED_MINORS[1]), required, { ...live, aks }))).toBe(
      `invalid input: spec.kubernetesVersion: 1.32 is in force; 1.32 is past end of life, and AKS upgrades it only to ${SUPPORTED_MINORS[0]}, so go to ${SUPPORTED_MINORS[0]} first`,
    );
  });

  it('upgrades a supported cluster one minor at a time', () => {
    const live = settle(withVersion('1.35'), observe, required).observed;
    expect(fatalMessage(runWithRequired(withVersion('1.36'), required, live))).toBeUndefined();
    expect(fatalMessage(runWithRequired(withVersion('1.37'), required, live))).toBe(
      'invalid input: spec.kubernetesVersion: 1.35 is in force; AKS upgrades one minor at a time, so go to 1.36 first',
    );
  });
});

describe('Application Gateway listeners (learn.microsoft.com/azure/application-gateway/multiple-site-overview)', () => {
  const rules = (rsp: ReturnType<typeof run>): Record<string, unknown> =>
    Object.fromEntries(((forProvider(desired(rsp, 'gateway')).requestRoutingRule ?? []) as Json[]).map((r) => [String(r.name), r.priority]));

  it("moves only the apex environment's rules of a network made before the apex band, once, and keeps every slot", () => {
    // A network settled by an earlier version: prd, the apex, at 30/35, where uat added later at
    // 50 would rank after *.karectl.org and never see its traffic.
    const settled = settle(network, observe);
    const gateway = structuredClone(settled.observed.gateway!);
    const legacy = ((forProvider(gateway).requestRoutingRule ?? []) as Json[]).map((r) =>
      r.name === 'rule-prd' ? { ...r, priority: 30 } : r.name === 'rule-http-prd' ? { ...r, priority: 35 } : r,
    );
    forProvider(gateway).requestRoutingRule = legacy;
    const status = structuredClone(settled.xr.status as { environments: Json[] });
    for (const env of status.environments) {
      delete env.routingSlot;
      if (env.name === 'prd') env.routingPriority = 30;
    }
    const withUat = withField({ ...settled.xr, status }, 'spec.environments', [...(network.spec as { environments: Json[] }).environments, { name: 'uat' }]);
    const rsp = run(withUat, { ...settled.observed, gateway });
    expect(rules(rsp)).toEqual({ 'rule-dev': 10, 'rule-stg': 20, 'rule-prd': 10_030, 'rule-uat': 50, 'rule-http': 20_000 });
    const prd = (status_(rsp).environments as Json[]).find((e) => e.name === 'prd');
    expect(prd).toMatchObject({ routingPriority: 10_030, routingSlot: 3 });
  });
});

describe('Application Gateway limits (learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#application-gateway-limits)', () => {
  const environments = (exposed: number, internal = 0) => [
    ...Array.from({ length: exposed }, (_, i) => ({ name: `e${i}` })),
    ...Array.from({ length: internal }, (_, i) => ({ name: `i${i}`, exposed: false })),
  ];
  const withEnvironments = (list: Json[]) =>
    withField(withField(network, 'spec.addressPool', { cidr: '10.128.0.0/10', spokePrefixLength: 20 }), 'spec.environments', list);

  const gatewayOf = (status: Json, env: string) => ((status.environments as Json[]).find((e) => e.name === env)?.gateway as Json | undefined)?.name;

  const perGateway = limits.gateway.environmentsEach;

  it(`fills one gateway with ${perGateway} exposed environments: their HTTPS listeners and the one HTTP listener that redirects them make ${limits.gateway.listeners}`, () => {
    const { observed } = settle(withEnvironments(environments(perGateway, 20)), observe);
    const gateway = forProvider(observed.gateway);
    expect(gateway.httpListener).toHaveLength(limits.gateway.listeners);
    expect(gateway.sslCertificate).toHaveLength(perGateway);
    expect(gateway.backendAddressPool).toHaveLength(perGateway);
    expect(gateway.redirectConfiguration).toHaveLength(1);
    expect(byName(gateway.httpListener, 'listener-http')).toEqual({
      name: 'listener-http',
      frontendIpConfigurationName: 'appGwFrontendIP',
      frontendPortName: 'http',
      protocol: 'Http',
    });
    expect(byName(gateway.requestRoutingRule, 'rule-http')).toMatchObject({ priority: 20_000, redirectConfigurationName: 'redirect-to-https' });
    expect(observed['gateway-2']).toBeUndefined();
  });

  it('puts the next environment on a second gateway with its own public IP, and says so in the status', () => {
    const { xr, observed } = settle(withEnvironments(environments(perGateway + 1)), observe);
    const second = forProvider(observed['gateway-2']);
    expect((second.httpListener as Json[]).map((l) => l.name)).toEqual([`listener-https-e${perGateway}`, 'listener-http']);
    expect(second.frontendIpConfiguration).toEqual([expect.objectContaining({ publicIpAddressIdRef: { name: 'k8tre-gateway-2-public-ip' } })]);
    const status = xr.status as Json;
    expect(gatewayOf(status, 'e0')).toBe('agw-k8tre');
    expect(gatewayOf(status, `e${perGateway}`)).toBe('agw-k8tre-2');
    expect((status.gateways as Json[]).map((g) => [g.name, (g.environments as string[]).length])).toEqual([
      ['agw-k8tre', perGateway],
      ['agw-k8tre-2', 1],
    ]);
  });

  it('never moves an environment to another gateway: a freed place is taken by the next new one, not by a neighbour', () => {
    // Moving an environment would change its public IP under its DNS records.
    const full = settle(withEnvironments(environments(perGateway + 1)), observe);
    const kept = environments(perGateway + 1).filter((e) => e.name !== 'e5');
    const { xr } = settle({ ...withEnvironments([...kept, { name: 'late' }]), status: full.xr.status }, observe);
    expect(gatewayOf(xr.status as Json, `e${perGateway}`)).toBe('agw-k8tre-2');
    expect(gatewayOf(xr.status as Json, 'late')).toBe('agw-k8tre');
  });

  it('keeps an environment on the second gateway its status records, with that gateway’s own public IP', () => {
    // A network whose first gateway was full placed stg on the second; stg stays there.
    const first = settle(network, observe);
    const status = structuredClone(first.xr.status as Json);
    const stg = (status.environments as Json[]).find((e) => e.name === 'stg') as Json;
    stg.gateway = { index: 1, name: 'agw-k8tre-2' };
    const { xr, observed } = settle({ ...network, status }, observe);
    const second = forProvider(observed['gateway-2']);
    expect((second.httpListener as Json[]).map((l) => l.name)).toEqual(['listener-https-stg', 'listener-http']);
    expect(second.frontendIpConfiguration).toEqual([expect.objectContaining({ publicIpAddressIdRef: { name: 'k8tre-gateway-2-public-ip' } })]);
    expect(JSON.stringify(observed['gateway-2-public-ip'])).toContain('"crossplane.io/external-name":"pip-k8tre-appgw-2"');
    expect((forProvider(observed.gateway).httpListener as Json[]).map((l) => l.name)).not.toContain('listener-https-stg');
    const settled = xr.status as Json;
    expect(gatewayOf(settled, 'stg')).toBe('agw-k8tre-2');
    expect(gatewayOf(settled, 'dev')).toBe('agw-k8tre');
    expect((settled.gateways as Json[]).map((g) => [g.name, g.environments])).toEqual([
      ['agw-k8tre', ['dev', 'prd']],
      ['agw-k8tre-2', ['stg']],
    ]);
  });

  it('runs at least two instances when the gateway spans zones, as zone redundancy needs', () => {
    const { observed } = settle(network, observe);
    expect(forProvider(observed.gateway).autoscaleConfiguration).toEqual({ minCapacity: 2, maxCapacity: 3 });
    expect(fatalMessage(run(withField(network, 'spec.gateway.minCapacity', 1)))).toBe(
      'invalid input: spec.gateway.minCapacity: 1 is too few for a gateway across 3 zones; zone redundancy needs at least 2 instances',
    );
    expect(fatalMessage(run(withField(withField(network, 'spec.gateway.minCapacity', 1), 'spec.gateway.zones', ['2'])))).toBeUndefined();
  });
});

describe('reaching the private API servers (learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview)', () => {
  const warnings = (rsp: ReturnType<typeof run>) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_WARNING).map((r) => r.message);

  it('warns when the hub is created here and no network where Crossplane runs is named: peering is not transitive', () => {
    expect(warnings(run(network))).toEqual([]);
    const [warning] = warnings(run(withField(network, 'spec.management', undefined)));
    expect(warning).toContain('spec.management: the hub is created by this XR and no network where Crossplane runs is named');
    // An existing hub is where the GitOps layout runs Crossplane.
    expect(warnings(run(withField(loadExample('examples/network/existing-hub.yaml'), 'spec.management', undefined)))).toEqual([]);
  });

  it('refuses a management network that overlaps the hub or an environment, as Azure refuses to peer overlapping networks', () => {
    expect(fatalMessage(run(withField(network, 'spec.management.addressSpace', '10.100.0.0/24')))).toBe(
      'invalid input: spec.management.addressSpace: 10.100.0.0/24 overlaps the hub (10.100.0.0/22); peered networks must not overlap',
    );
    const pinned = withField(network, 'spec.environments', [{ name: 'dev', addressSpace: '10.200.0.0/20' }]);
    expect(fatalMessage(run(pinned))).toContain('spec.environments[0].addressSpace: 10.200.0.0/20 overlaps the management network');
  });
});

describe('landing-zone private DNS (learn.microsoft.com/azure/dns/private-dns-virtual-network-links)', () => {
  const landingZone = loadExample('examples/network/existing-hub.yaml');

  it('refuses a zone that is not the one the service resolves through, which would leave its endpoints unresolved', () => {
    const wrong = withField(
      landingZone,
      'spec.dns.privateLinkZones.blob',
      '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-con-dns/providers/Microsoft.Network/privateDnsZones/privatelink.file.core.windows.net',
    );
    expect(fatalMessage(run(wrong))).toBe(
      'invalid input: spec.dns.privateLinkZones.blob: is zone "privatelink.file.core.windows.net"; blob resolves through privatelink.blob.core.windows.net',
    );
  });

  it('creates the zones the landing zone does not provide, and links those to the hub as before', () => {
    const some = withField(landingZone, 'spec.dns.privateLinkZones', {
      aks: '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-con-dns/providers/Microsoft.Network/privateDnsZones/k8tre.privatelink.westeurope.azmk8s.io',
    });
    const { observed } = settle(some, observe);
    expect(observed['dns-zone-aks']).toBeUndefined();
    expect(observed['dns-link-aks-hub']).toBeUndefined();
    expect(observed['dns-zone-blob']).toBeDefined();
    expect(observed['dns-link-blob-hub']).toBeDefined();
  });
});

describe('the cluster on its network', () => {
  const mgmt = loadExample('examples/cluster/mgmt.yaml');

  it('refuses role Management in a spoke the network does not peer with every other, naming the field to set', () => {
    const unpeered = withField(
      settledNetwork,
      'spec.environments',
      (settledNetwork.spec as { environments: Json[] }).environments.map((e) => ({ ...e, management: undefined })),
    );
    expect(fatalMessage(runWithRequired(mgmt, { network: [unpeered] }))).toBe(
      "invalid input: spec.role: Management hosts ArgoCD in the mgmt spoke, which cannot reach the other environments' private API servers through the hub: " +
        'set management: true on environment mgmt of XK8treNetwork k8tre/k8tre, which peers its spoke with every other, or run ArgoCD where Crossplane runs',
    );
    expect(fatalMessage(runWithRequired(mgmt, required))).toBeUndefined();
  });

  it("federates ArgoCD's server as well as its application controller: the server reads live state, logs and exec through the same exec", () => {
    const { tree } = settle(mgmt, observe, required);
    const subjects = Object.values(tree)
      .filter(
        (m) => m.kind === 'FederatedIdentityCredential' && (forProvider(m).parentIdRef as { name?: string } | undefined)?.name === 'mgmt-id-argocd-identity',
      )
      .map((m) => forProvider(m).subject)
      .sort();
    expect(subjects).toEqual(['system:serviceaccount:argocd:argocd-application-controller', 'system:serviceaccount:argocd:argocd-server']);
  });

  it('refuses to move a live cluster to another spoke even without its status, from the subnet its nodes are in (vnet_subnet_id replaces the cluster)', () => {
    // An XR that adopts a running cluster has no status yet: the subnet observed on AKS is what says where it lives.
    const { observed } = settledCluster();
    const adopted = withField(withField(cluster, 'spec.environment', 'stg'), 'status', undefined);
    const message = fatalMessage(runWithRequired(adopted, required, observed));
    expect(message).toContain('spec.networkRef.name:');
    expect(message).toContain(`${String((forProvider(observed.aks).defaultNodePool as Json).vnetSubnetId)}, in force`);
  });

  describe('a network edit over ranges a live cluster uses (Cilium cannot renumber a live pool; AKS fixes the service range)', () => {
    const live = settledCluster();
    const podPool = String((live.xr.status as { networking: { podCidr: string } }).networking.podCidr);
    const grown = (addressSpace: string) =>
      settle(withField(network, 'spec.environments', [...(network.spec as { environments: Json[] }).environments, { name: 'uat', addressSpace }]), observe).xr;

    it('keeps the pod pool and refuses, naming the network edit, rather than renumber every pod', () => {
      const overPods = `${podPool.split('/')[0]}/20`;
      const rsp = runWithRequired(live.xr, { network: [grown(overPods)] }, live.observed);
      expect(fatalMessage(rsp)).toContain(`spec.networking.podCidr: the pod pool ${podPool} is in force and cannot move, and the uat spoke`);
      expect(fatalMessage(rsp)).toContain('move or remove that range in the network');
      expect(forProvider(desired(rsp, 'release-cilium')).values).toMatchObject({ ipam: { operator: { clusterPoolIPv4PodCIDRList: [podPool] } } });
    });

    it('says the same of the service range', () => {
      const rsp = runWithRequired(live.xr, { network: [grown('100.64.0.0/20')] }, live.observed);
      expect(fatalMessage(rsp)).toContain('spec.networking.serviceCidr: the service range 100.64.0.0/16 is in force and cannot move, and the uat spoke');
    });

    it('refuses another pod pool for an XR adopting the cluster, from the pool the running Cilium has', () => {
      const adopted = withField(withField(cluster, 'spec.networking', { podCidr: '10.240.0.0/16' }), 'status', undefined);
      expect(fatalMessage(runWithRequired(adopted, required, live.observed))).toContain(`spec.networking.podCidr: is ${podPool} in force`);
    });
  });

  it('holds a network whose edit removes an environment until Crossplane has fetched the clusters in it, then refuses while one lives there', () => {
    const live = settledCluster();
    const settled = settle(network, observe);
    const withoutDev = withField(
      settled.xr,
      'spec.environments',
      (network.spec as { environments: { name: string }[] }).environments.filter((e) => e.name !== 'dev'),
    );
    // The first call of a reconcile: nothing fetched yet, so nothing may be read as "no cluster".
    const first = runFunction(requestFor(withoutDev, {}, settled.observed));
    expect(fatalMessage(first)).toBeUndefined();
    expect(desiredNames(first)).toEqual(Object.keys(settled.observed).sort());
    expect(first.requirements?.resources['hosted-clusters']).toMatchObject({ kind: 'Usage', matchLabels: { labels: { 'azure.k8tre.io/network': 'k8tre' } } });

    const usage = live.observed['usage-network-by-aks']!;
    expect(fatalMessage(runWithRequired(withoutDev, { 'hosted-clusters': [usage] }, settled.observed))).toContain(
      'spec.environments: environment dev is removed, but XK8treCluster k8tre/dev lives in its spoke',
    );
    // Once the cluster is gone its Usage is too, and the environment goes.
    expect(fatalMessage(runWithRequired(withoutDev, { 'hosted-clusters': [] }, settled.observed))).toBeUndefined();
  });

  it('refuses a second cluster in an environment, from the first one’s Usage of the network; the first is unaffected', () => {
    const live = settledCluster();
    const usages = { 'hosted-clusters': [live.observed['usage-network-by-aks']!] };
    const second = withField(cluster, 'metadata.name', 'dev2');
    expect(fatalMessage(runWithRequired(second, { ...required, ...usages }))).toContain(
      'spec.environment: dev already has XK8treCluster k8tre/dev; an environment has one cluster',
    );
    expect(fatalMessage(runWithRequired(live.xr, { ...required, ...usages }, live.observed))).toBeUndefined();
  });

  it('grants external-dns Reader on its zone’s resource group as well, which it needs to list private zones (external-dns azure-private-dns tutorial)', () => {
    const { tree, xr } = settledCluster();
    const zoneId = ((settledNetwork.status as { environments: Json[] }).environments.find((e) => e.name === 'dev')!.dnsZone as Json).id as string;
    const roles = Object.entries(tree)
      .filter(([key]) => key.startsWith('identities-0/externaldns/role-'))
      .map(([, m]) => m)
      .map((m) => [forProvider(m).roleDefinitionName, forProvider(m).scope]);
    expect(roles).toEqual([
      ['Private DNS Zone Contributor', zoneId],
      ['Reader', zoneId.split('/').slice(0, 5).join('/')],
    ]);
    const externaldns = ((xr.status as { identities: { workloads: Json[] } }).identities.workloads.find((w) => w.name === 'externaldns') as Json).roles;
    expect(externaldns).toHaveLength(2);
  });
});

describe('high availability (learn.microsoft.com/azure/aks/use-system-pools)', () => {
  it('runs at least two system nodes, three by default across zones, tainted CriticalAddonsOnly, with a user pool for workloads', () => {
    const bare = withField(withField(cluster, 'spec.systemPool', undefined), 'spec.nodePools', undefined);
    const { observed } = settle(bare, observe, required);
    expect(forProvider(observed.aks).defaultNodePool as Json).toMatchObject({ minCount: 3, zones: ['1', '2', '3'], onlyCriticalAddonsEnabled: true });
    expect(forProvider(observed['nodepool-user'])).toMatchObject({ mode: 'User', minCount: 2, maxCount: 6, zones: ['1', '2', '3'] });
    expect(fatalMessage(runWithRequired(withField(cluster, 'spec.systemPool.minCount', 1), required))).toContain('spec.systemPool.minCount: 1 is out of range');
    expect(fatalMessage(runWithRequired(withField(cluster, 'spec.nodePools', []), required))).toBe(
      'invalid input: spec.nodePools: is empty; the system pool runs critical add-ons only (tainted CriticalAddonsOnly, as the AKS baseline asks), so workloads need at least one user pool',
    );
  });
});

describe("the data stores outlive the cluster (azurerm's prevent_deletion_if_contains_resources: no group that holds resources is deleted)", () => {
  const groupOf = (manifest: Json) =>
    (forProvider(manifest).resourceGroupNameRef as { name: string } | undefined)?.name ?? forProvider(manifest).resourceGroupName;
  const policies = (manifest: Json) => (manifest.spec as { managementPolicies?: string[] }).managementPolicies;

  it('puts the Key Vault and storage accounts in a resource group of their own, retained with them, so deleting the cluster’s group completes', () => {
    const { observed, tree } = settledCluster();
    const stores = storesOf(tree);
    for (const key of ['keyvault', 'storage-workspace', 'storage-core']) expect(groupOf(stores[key]!), key).toBe('dev-data-resource-group-data');
    expect(stores['resource-group-data']?.metadata).toMatchObject({ annotations: { 'crossplane.io/external-name': 'rg-dev-data' } });
    for (const key of ['resource-group-data', 'keyvault', 'storage-workspace', 'storage-core']) {
      expect(policies(stores[key]!), key).toEqual(['Observe', 'Create', 'Update', 'LateInitialize']);
    }
    expect(policies(observed['resource-group']!)).toBeUndefined();
    // The endpoints stay with the cluster's network resources, in its group.
    expect(groupOf(stores['keyvault-endpoint']!)).toBe('rg-dev-aks');
  });

  it('leaves stores an earlier version put in the cluster’s group there, and retains that group instead of hanging on its deletion', () => {
    const { observed } = settledCluster();
    const told = structuredClone(observed['data-stores']!) as { spec: { keyVault: Json; storage: Record<string, Json> } };
    for (const store of [told.spec.keyVault, ...Object.values(told.spec.storage)]) store.resourceGroupName = 'rg-dev-aks';
    const rsp = runWithRequired(cluster, required, { ...observed, 'data-stores': told as unknown as Json });
    const spec = desired(rsp, 'data-stores').spec as { keyVault: Json; storage: Record<string, Json> };
    expect([spec.keyVault, ...Object.values(spec.storage)].map((store) => store.resourceGroupName)).toEqual(['rg-dev-aks', 'rg-dev-aks', 'rg-dev-aks']);
    expect(policies(desired(rsp, 'resource-group'))).toEqual(['Observe', 'Create', 'Update', 'LateInitialize']);
    const stores = composedStores(rsp);
    expect(stores.desired?.resources['resource-group-data']).toBeUndefined();
    expect(groupOf(desired(stores, 'keyvault'))).toBe('rg-dev-aks');
    expect(groupOf(desired(stores, 'storage-core'))).toBe('rg-dev-aks');
  });

  it('refuses one group for both', () => {
    expect(fatalMessage(runWithRequired(withField(cluster, 'spec.dataResourceGroupName', 'RG-DEV-AKS'), required))).toContain(
      'spec.dataResourceGroupName: must differ from spec.resourceGroupName (rg-dev-aks)',
    );
  });
});

describe('storage with public network access off (azurerm 4.x reads queue and static-website properties through the data plane)', () => {
  const endpointKeys = [
    'keyvault-endpoint',
    ...['core', 'workspace'].flatMap((p) => ['blob', 'dfs', 'file', 'queue', 'table'].map((s) => `storage-${p}-endpoint-${s}`)),
  ];
  const endpointsOf = (rsp: ReturnType<typeof runWithRequired>) =>
    Object.keys(rsp.desired?.resources ?? {})
      .filter((k) => k.includes('-endpoint'))
      .sort();

  it('composes every private endpoint in the same reconcile as the accounts, with the IDs they will have, while the accounts report nothing (403 until an endpoint exists)', () => {
    // The round in which the data group reports its ID: the accounts are created, but their
    // reads fail until an endpoint carries them, so they never report an ID of their own.
    const { tree } = settledCluster();
    const stalled = storesOf(tree);
    for (const key of ['storage-workspace', 'storage-core']) {
      stalled[key] = {
        ...stalled[key]!,
        status: { conditions: [{ type: 'Synced', status: 'False', reason: 'ReconcileError', message: '403 AuthorizationFailure' }] },
      };
      for (const service of ['blob', 'file', 'queue', 'table', 'dfs']) delete stalled[`${key}-endpoint-${service}`];
    }
    const rsp = runWithRequired(cluster, required, settledCluster().observed);
    const spec = desired(rsp, 'data-stores').spec as { storage: Record<string, Json> };
    for (const account of Object.values(spec.storage)) delete account.id;
    const stores = composedStores(rsp, stalled);
    const group = (stalled['resource-group-data']!.status as { atProvider: Json }).atProvider.id as string;
    for (const purpose of ['workspace', 'core']) {
      const account = (desired(stores, `storage-${purpose}`).metadata as { annotations: Record<string, string> }).annotations['crossplane.io/external-name'];
      for (const service of ['blob', 'file', 'queue', 'table', 'dfs']) {
        const endpoint = forProvider(desired(stores, `storage-${purpose}-endpoint-${service}`));
        expect((endpoint.privateServiceConnection as Json).privateConnectionResourceId).toBe(`${group}/providers/Microsoft.Storage/storageAccounts/${account}`);
      }
      expect(forProvider(desired(stores, `storage-${purpose}`))).toMatchObject({ publicNetworkAccessEnabled: false, networkRules: { defaultAction: 'Deny' } });
    }
  });

  it('tells the data stores the IDs the stores will have as soon as the cluster’s group reports its subscription, so every endpoint comes with the stores', () => {
    const first = runWithRequired(cluster, required);
    // The endpoints go in the cluster's group, by name: the data stores wait for it.
    expect(first.desired?.resources['data-stores']).toBeUndefined();
    const groupOnly = { 'resource-group': observe(desired(first, 'resource-group')) };
    const second = runWithRequired(cluster, required, groupOnly);
    const spec = desired(second, 'data-stores').spec as { keyVault: { name: string; id: string }; storage: Record<string, { name: string; id: string }> };
    expect(spec.keyVault.id).toBe(
      `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dev-data/providers/Microsoft.KeyVault/vaults/${spec.keyVault.name}`,
    );
    expect(spec.storage.core!.id).toBe(
      `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dev-data/providers/Microsoft.Storage/storageAccounts/${spec.storage.core!.name}`,
    );
    expect(endpointsOf(composedStores(second))).toEqual([...endpointKeys].sort());
  });

  it('keeps telling the data stores the IDs it told them, whatever they report, so that their spec holds still', () => {
    // A new spec makes the data stores unready until they reconcile it, and the cluster with them:
    // ArgoCD, waiting on the cluster's wave, would see it Healthy, then Progressing again.
    const { observed } = settledCluster();
    const stores = observed['data-stores'] as { spec: { keyVault: { id: string } }; status: { keyVault: { id: string } } };
    const told = stores.spec.keyVault.id;
    const reported = `${told.toUpperCase()}-AS-AZURE-CASES-IT`;
    stores.status.keyVault.id = reported;
    const rsp = runWithRequired(cluster, required, observed);
    expect((desired(rsp, 'data-stores').spec as { keyVault: { id: string } }).keyVault.id).toBe(told);
    // The cluster's own roles follow what Azure reports.
    expect(forProvider(desired(rsp, 'role-secrets-provider-keyvault-secrets-user')).scope).toBe(reported);
  });

  it('composes them from the first reconcile in which the data group has an ID, when not told the IDs', () => {
    const rsp = runWithRequired(cluster, required, settledCluster().observed);
    const spec = desired(rsp, 'data-stores').spec as { keyVault: Json; storage: Record<string, Json> };
    for (const store of [spec.keyVault, ...Object.values(spec.storage)]) delete store.id;
    const first = composedStores(rsp);
    expect(endpointsOf(first)).toEqual([]);
    const second = composedStores(rsp, { 'resource-group-data': observe(desired(first, 'resource-group-data')) });
    expect(endpointsOf(second)).toEqual([...endpointKeys].sort());
  });
});

describe('Shared Key on the storage accounts (learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent)', () => {
  // Storage Account Contributor can list an account's keys, and a key reaches all of its data: the
  // kubelet gets the role only where the account still takes keys.
  const kubeletRoles = (observed: Record<string, Json>) =>
    Object.entries(observed)
      .filter(([key]) => key.startsWith('role-kubelet-'))
      .map(([key, role]) => `${key}: ${String(forProvider(role).roleDefinitionName)}`)
      .sort();

  it("keeps keys only on the core account, for K8TRE's rwx-default class, which mounts Azure Files with the key", () => {
    const { observed, tree } = settledCluster();
    expect(forProvider(storesOf(tree)['storage-core']).sharedAccessKeyEnabled).toBe(true);
    expect(forProvider(storesOf(tree)['storage-workspace']).sharedAccessKeyEnabled).toBe(false);
    expect(kubeletRoles(observed)).toEqual([
      'role-kubelet-core-account-contributor: Storage Account Contributor',
      'role-kubelet-core-blob-data-contributor: Storage Blob Data Contributor',
      'role-kubelet-workspace-blob-data-contributor: Storage Blob Data Contributor',
    ]);
  });

  it('refuses keys on both with sharedKeyAccess.core: false, and the kubelet then holds no role that lists them', () => {
    const { observed, tree } = settle(withField(cluster, 'spec.storage.sharedKeyAccess', { core: false }), observe, required);
    for (const purpose of ['core', 'workspace']) expect(forProvider(storesOf(tree)[`storage-${purpose}`]).sharedAccessKeyEnabled).toBe(false);
    expect(kubeletRoles(observed)).toEqual([
      'role-kubelet-core-blob-data-contributor: Storage Blob Data Contributor',
      'role-kubelet-workspace-blob-data-contributor: Storage Blob Data Contributor',
    ]);
  });

  it('keeps keys on a workspace account an earlier version left taking them, with a warning, until the XR says false', () => {
    // Refusing them on upgrade would cut off every volume mounted with the key, at its next mount.
    const { observed } = settledCluster();
    const earlier = structuredClone(observed);
    const stores = earlier['data-stores'] as { status: { storage: Record<string, Json> } };
    stores.status.storage.workspace!.sharedAccessKeyEnabled = true;
    const sharedKey = (rsp: ReturnType<typeof runWithRequired>) =>
      (desired(rsp, 'data-stores').spec as { storage: { workspace: Json } }).storage.workspace.sharedAccessKeyEnabled;
    const upgraded = runWithRequired(cluster, required, earlier);
    expect(sharedKey(upgraded)).toBe(true);
    expect(desired(upgraded, 'role-kubelet-workspace-account-contributor')).toBeDefined();
    expect(upgraded.results.map((r) => r.message)).toContainEqual(expect.stringContaining('spec.storage.sharedKeyAccess.workspace:'));

    const refused = runWithRequired(withField(cluster, 'spec.storage.sharedKeyAccess', { workspace: false }), required, earlier);
    expect(sharedKey(refused)).toBe(false);
    expect(refused.desired?.resources?.['role-kubelet-workspace-account-contributor']).toBeUndefined();
    expect(refused.results.map((r) => r.message).join('\n')).not.toContain('sharedKeyAccess');
  });
});

describe("Cilium's Gateway API (operator/pkg/gateway-api/cell.go of each release; test/cilium.test.ts reads it)", () => {
  const chartVersion = (manifest: Json) => (forProvider(manifest).chart as Json).version as string;

  it('upgrades a minor only once the CRDs the new minor requires are in place, holding the running release until then', () => {
    const on119 = withField(cluster, 'spec.cilium', { version: '1.19.5' });
    const { observed } = settle(on119, observe, required);
    expect(chartVersion(observed['release-cilium']!)).toBe('1.19.5');
    expect(Object.keys(observed).filter((k) => k.startsWith('gateway-api-'))).toHaveLength(5);

    const upgrade = withField(cluster, 'spec.cilium', { version: '1.20.2' });
    const first = runWithRequired(upgrade, required, observed);
    const crds = Object.keys(first.desired?.resources ?? {}).filter((k) => k.startsWith('gateway-api-'));
    expect(crds.sort()).toEqual(
      ['backendtlspolicies', 'gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'referencegrants', 'tlsroutes'].map((p) => `gateway-api-${p}`),
    );
    // Cilium's operator reads the CRDs when it starts: a 1.20 operator started before TLSRoute v1
    // exists would leave Gateway API off.
    expect(chartVersion(desired(first, 'release-cilium'))).toBe('1.19.5');
    expect(first.conditions.find((c) => c.type === 'Composed')?.message).toContain('the Gateway API v1.6.1 CRDs Cilium 1.20 requires to be established');

    const crdsInPlace = { ...observed, ...Object.fromEntries(crds.map((key) => [key, observe(desired(first, key))])) };
    const second = runWithRequired(upgrade, required, crdsInPlace);
    expect(chartVersion(desired(second, 'release-cilium'))).toBe('1.20.2');
    expect(forProvider(desired(second, 'release-cilium')).values).toMatchObject({ kubeProxyReplacement: true, gatewayAPI: { enabled: true } });
  });

  it('refuses a Cilium minor the package has no Gateway API CRDs for', () => {
    expect(fatalMessage(runWithRequired(withField(cluster, 'spec.cilium', { version: '1.16.9' }), required))).toContain('spec.cilium.version');
  });
});

describe("K8TRE's naming preset (k8tre/k8tre agnostics/storage-class/azure/envs/*/rwx-default.yaml)", () => {
  it('names the stores what an unmodified K8TRE reads: stgk8trecore<env> in rg-k8tre-<env>-uks-aks', () => {
    const { observed, tree, xr } = settle(withField(cluster, 'spec.naming', 'K8TRE'), observe, required);
    const stores = storesOf(tree);
    const azureName = (manifest: Json) => (manifest.metadata as { annotations: Record<string, string> }).annotations['crossplane.io/external-name'];
    expect(azureName(stores['storage-core']!)).toBe('stgk8trecoredev');
    expect(azureName(stores['storage-workspace']!)).toBe('stgk8treworkspacedev');
    expect(azureName(stores['keyvault']!)).toBe('dev-k8tre-kv');
    expect(azureName(stores['resource-group-data']!)).toBe('rg-k8tre-dev-uks-aks');
    expect(azureName(observed['resource-group']!)).toBe('rg-k8tre-dev-uks-cluster');
    expect(forProvider(stores['storage-core']).resourceGroupNameRef).toEqual({ name: 'dev-data-resource-group-data' });
    expect((xr.status as { storage: { core: { name: string } } }).storage.core.name).toBe('stgk8trecoredev');
  });

  it('lets explicit names win, and refuses an environment whose K8TRE names Azure would refuse', () => {
    const named = withField(withField(cluster, 'spec.naming', 'K8TRE'), 'spec.keyVault.name', 'kv-own-name');
    const groupReady = { 'resource-group': observe(desired(runWithRequired(named, required), 'resource-group')) };
    expect((desired(runWithRequired(named, required, groupReady), 'data-stores').spec as { keyVault: Json }).keyVault.name).toBe('kv-own-name');
    const long = withField(withField(cluster, 'spec.naming', 'K8TRE'), 'spec.environment', 'research1');
    expect(fatalMessage(runWithRequired(long, required))).toContain(
      "spec.naming: K8TRE names environment research1's workspace storage account stgk8treworkspaceresearch1, longer than Azure's 24 characters; set spec.storage.accountNames.workspace",
    );
    // Naming that account is enough: the preset's name for it is not used.
    const workspaceNamed = withField(long, 'spec.storage.accountNames', { workspace: 'stresearch1ws' });
    const withResearch = settle(
      withField(network, 'spec.environments', [...(network.spec as { environments: Json[] }).environments, { name: 'research1' }]),
      observe,
    ).xr;
    expect(fatalMessage(runWithRequired(workspaceNamed, { network: [withResearch] }))).toBeUndefined();
  });
});

describe('federated credentials (learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations)', () => {
  it("creates an identity's second credential only once its first is ready: Azure refuses concurrent writes to one identity (409)", () => {
    // ArgoCD's identity, with its two credentials, as the management cluster tells it.
    const { observed } = settle(loadExample('examples/cluster/mgmt.yaml'), observe, required);
    const told = (observed['identities-0']!.spec as { identities: { name: string; spec: Json }[] }).identities.find((e) => e.spec.identity === 'argocd')!;
    const argocd = {
      apiVersion: 'azure.k8tre.io/v1alpha1',
      kind: 'XK8treWorkloadIdentity',
      metadata: { name: told.name, namespace: 'k8tre' },
      spec: told.spec,
    };
    const first = 'federation-fic-argocd';
    const second = 'federation-fic-argocd-argocd-server';
    const identity = { identity: observe(desired(run(argocd), 'identity')) };
    const round = run(argocd, identity);
    expect(Object.keys(round.desired?.resources ?? {})).toContain(first);
    expect(Object.keys(round.desired?.resources ?? {})).not.toContain(second);
    const next = run(argocd, { ...identity, [first]: observe(desired(round, first)) });
    expect(Object.keys(next.desired?.resources ?? {})).toContain(second);
  });
});

describe('what an earlier version made, and its defaults, stay in force', () => {
  const warningsOf = (rsp: ReturnType<typeof run>) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_WARNING).map((r) => r.message);

  it('keeps a one-instance zonal gateway and a one-node system pool that are live, with a warning; refuses them for new ones', () => {
    const settledGateway = settle(network, observe).observed;
    const gateway = structuredClone(settledGateway.gateway!);
    forProvider(gateway).autoscaleConfiguration = { minCapacity: 1, maxCapacity: 3 };
    const oneInstance = withField(network, 'spec.gateway.minCapacity', 1);
    const kept = run(oneInstance, { ...settledGateway, gateway });
    expect(fatalMessage(kept)).toBeUndefined();
    expect(warningsOf(kept)).toContainEqual(expect.stringMatching(/^spec.gateway.minCapacity: 1 is too few .*kept because it is in force/));
    expect(fatalMessage(run(oneInstance))).toContain('spec.gateway.minCapacity: 1 is too few for a gateway across 3 zones');

    const live = settledCluster().observed;
    const aks = structuredClone(live.aks!);
    (forProvider(aks).defaultNodePool as Json).minCount = 1;
    const oneNode = withField(cluster, 'spec.systemPool.minCount', 1);
    expect(warningsOf(runWithRequired(oneNode, required, { ...live, aks }))).toContainEqual(
      expect.stringMatching(/^spec.systemPool.minCount: 1 is out of range/),
    );
    expect(fatalMessage(runWithRequired(oneNode, required))).toContain('spec.systemPool.minCount: 1 is out of range; AKS system pools need at least 2 nodes');
  });

  it('keeps a network in a region Azure opened after the region list was made, with a warning; refuses the region for a new one', () => {
    // The list (network/regions.ts) can only lag Azure; a live network there must keep reconciling.
    const newRegion = withField(network, 'spec.region', 'atlantisnorth');
    const live = settle(network, observe).observed;
    const group = structuredClone(live['resource-group']!);
    forProvider(group).location = 'atlantisnorth';
    const kept = run(newRegion, { ...live, 'resource-group': group });
    expect(fatalMessage(kept)).toBeUndefined();
    expect(warningsOf(kept)).toContainEqual(
      expect.stringMatching(/^spec.region: "atlantisnorth" is not an Azure public-cloud region .*kept because it is in force/),
    );
    expect(fatalMessage(run(newRegion))).toContain('spec.region: "atlantisnorth" is not an Azure public-cloud region');
  });

  it('refuses a naming or tenant change that would rename a store Azure has, and says how to keep it', () => {
    const live = settledCluster().observed;
    expect(fatalMessage(runWithRequired(withField(cluster, 'spec.naming', 'K8TRE'), required, live))).toMatch(
      /^invalid input: spec.resourceGroupName: would rename the resource group rg-dev-aks to rg-k8tre-dev-uks-cluster, which Azure does only by replacing it; set spec.resourceGroupName: rg-dev-aks to keep it/,
    );
    // Before AKS exists, the stores already do: a tenant change would rename them (their names hash it).
    const otherTenant = withField(cluster, 'spec.tenantId', '99999999-9999-9999-9999-999999999999');
    const { aks: _aks, ...storesOnly } = live;
    expect(fatalMessage(runWithRequired(otherTenant, required, storesOnly))).toMatch(
      /^invalid input: spec.keyVault.name: would rename the Key Vault kv-dev-[0-9a-f]{6} to kv-dev-[0-9a-f]{6}/,
    );
  });

  it("refuses a landing zone's private-link zone where the network already has its own", () => {
    const live = settle(network, observe).observed;
    const landing = withField(network, 'spec.dns.privateLinkZones', {
      blob: '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-con-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net',
    });
    expect(fatalMessage(run(landing, live))).toMatch(
      /^invalid input: spec.dns.privateLinkZones.blob: this network already has its own privatelink.blob.core.windows.net zone/,
    );
    expect(fatalMessage(run(landing))).toBeUndefined();
  });

  it('keeps a live role: Management cluster whose network does not peer its spoke, with a warning; allows one alone in its network', () => {
    const mgmt = loadExample('examples/cluster/mgmt.yaml');
    const unpeered = withField(
      settledNetwork,
      'spec.environments',
      (settledNetwork.spec as { environments: Json[] }).environments.map((e) => ({ ...e, management: undefined })),
    );
    const live = settle(mgmt, observe, required).observed;
    expect(warningsOf(runWithRequired(mgmt, { network: [unpeered] }, live))).toContainEqual(
      expect.stringMatching(/^spec.role: Management hosts ArgoCD in the mgmt spoke/),
    );
    const alone = withField(unpeered, 'spec.environments', [{ name: 'mgmt', exposed: false }]);
    expect(fatalMessage(runWithRequired(mgmt, { network: [alone] }))).toBeUndefined();
  });
});

describe('names that would collide', () => {
  it.each(['hub', 'management'])('refuses an environment named %s, whose VNet, links and peerings the hub or management network has', (name) => {
    expect(fatalMessage(run(withField(network, 'spec.environments', [{ name }])))).toBe(
      `invalid input: spec.environments[0].name: "${name}" is reserved: the hub's and the management network's resources are named so`,
    );
  });

  it('refuses a second management environment: each is peered with every spoke, and one keeps the answer under 4 MiB', () => {
    const two = withField(network, 'spec.environments', [{ name: 'dev' }, { name: 'mgmt', management: true }, { name: 'ops', management: true }]);
    expect(fatalMessage(run(two))).toBe(
      'invalid input: spec.environments[2].management: at most 1 environment may host a management cluster; spec.environments[1] already does (each is peered with every other spoke)',
    );
  });
});
