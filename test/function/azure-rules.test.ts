import { describe, expect, it } from 'vitest';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { limits } from '../../functions/k8tre/network/api.js';
import { AKS_MINORS, CALENDAR_AS_OF, DEFAULT_MINOR, SUPPORTED_MINORS } from '../../functions/k8tre/cluster/aks-versions.js';
import { desired, fatalMessage, loadExample, run, runWithRequired, settle, status as status_, withField, type Json } from '../support/function.js';

// Azure's own rules, which the provider schemas do not know: what Azure refuses, stalls on or
// misroutes. Each case cites where the rule comes from and fails on output Azure would refuse.
// In-process, reconcile after reconcile; the render tests hold the same outputs through the CLI.

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
const network = loadExample('examples/network/k8tre.yaml');
const forProvider = (manifest: Json) => (manifest.spec as { forProvider: Json }).forProvider;
const settledNetwork = settle(network, observe).xr;
const cluster = loadExample('examples/cluster/dev.yaml');
const required = { network: [settledNetwork] };

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
    expect(DEFAULT_MINOR).toBe(SUPPORTED_MINORS.at(-1));
    // On 2026-12-01 1.34 had just ended (2026-11-30) and 1.37 was the newest GA minor.
    expect(CALENDAR_AS_OF).toBe('2026-12-01');
    expect(SUPPORTED_MINORS).toEqual(['1.35', '1.36', '1.37']);
    const aks = forProvider(settle(withVersion(undefined), observe, required).observed.aks!);
    expect(aks.kubernetesVersion).toBe(DEFAULT_MINOR);
    expect((aks.defaultNodePool as Json).orchestratorVersion).toBe(DEFAULT_MINOR);
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
    expect(rules(rsp)).toMatchObject({ 'rule-dev': 10, 'rule-stg': 20, 'rule-prd': 10_030, 'rule-http-prd': 10_035, 'rule-uat': 50 });
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

  it(`composes ${limits.exposedEnvironments.max} exposed environments, whose listeners, certificates and redirects fill one gateway, and any number of internal ones`, () => {
    const { observed } = settle(withEnvironments(environments(limits.exposedEnvironments.max, 20)), observe);
    const gateway = forProvider(observed.gateway!);
    expect(gateway.httpListener).toHaveLength(100);
    expect(gateway.sslCertificate).toHaveLength(50);
    expect(gateway.redirectConfiguration).toHaveLength(50);
    expect(gateway.backendAddressPool).toHaveLength(50);
  });

  it('refuses one exposed environment more, saying why and what to do', () => {
    const message = fatalMessage(run(withEnvironments(environments(limits.exposedEnvironments.max + 1))));
    expect(message).toBe(
      'invalid input: spec.environments: exposes 51 environments through the Application Gateway, which routes at most 100 listeners (2 per environment), so 50; put the others in a second XK8treNetwork or set exposed: false on internal-only ones',
    );
  });

  it('runs at least two instances when the gateway spans zones, as zone redundancy needs', () => {
    const { observed } = settle(network, observe);
    expect(forProvider(observed.gateway!).autoscaleConfiguration).toEqual({ minCapacity: 2, maxCapacity: 3 });
    expect(fatalMessage(run(withField(network, 'spec.gateway.minCapacity', 1)))).toBe(
      'invalid input: spec.gateway.minCapacity: 1 is too few for a gateway across 3 zones; zone redundancy needs at least 2 instances',
    );
    expect(fatalMessage(run(withField(withField(network, 'spec.gateway.minCapacity', 1), 'spec.gateway.zones', ['2'])))).toBeUndefined();
  });
});
