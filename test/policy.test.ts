import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_FILES, readPlatform, renderPlatform } from '../scripts/lib/platform.js';
import { lastRound, reconcileUntilSettled, treeComposed, type Manifest } from '../scripts/lib/reconcile.js';
import type { Json } from './support/function.js';
import { useRenderSession } from './support/render.js';
import { POLICY, type Rule } from './policy/rules.js';

// The security policy (test/policy/rules.ts) over every resource the examples render through
// the real CLI, reconcile after reconcile until settled, child XRs’ resources included: the whole example platform, the other
// network examples and the walkthrough's network. Objects written into clusters are checked
// with what they carry. Each rule also meets a fixture that breaks it.

const session = useRenderSession();
const rendered: Manifest[] = [];

/** A resource and, for provider-kubernetes Objects, the manifest it writes. */
const withPayloads = (m: Manifest): Manifest[] => {
  const payload = (m.spec as { forProvider?: { manifest?: Manifest } } | undefined)?.forProvider?.manifest;
  return payload && m.kind === 'Object' ? [m, payload] : [m];
};

beforeAll(async () => {
  // The example platform, and the egress example's network with its cluster on user-defined routing.
  for (const files of [EXAMPLE_FILES, ['examples/network/egress.yaml']]) {
    const platform = await renderPlatform(session(), readPlatform(files).platform);
    for (const xr of [...platform.networks, ...platform.clusters]) rendered.push(...treeComposed(lastRound(xr.rounds)).values());
  }
  for (const file of ['examples/network/existing-hub.yaml', 'examples/network/internal-domain.yaml', 'examples/gitops/platform/network.yaml']) {
    rendered.push(...treeComposed(lastRound(await reconcileUntilSettled(session(), file))).values());
  }
}, 300_000);

const resourcesFor = (rule: Rule) => rendered.flatMap(withPayloads).filter((m) => rule.kinds.includes(m.kind));
const sample = (kind: string): Manifest => {
  const found = rendered.flatMap(withPayloads).find((m) => m.kind === kind);
  if (!found) throw new Error(`the examples render no ${kind}`);
  return structuredClone(found);
};
const setForProvider = (m: Manifest, patch: Json): Manifest => ({
  ...m,
  spec: { ...(m.spec as Json), forProvider: { ...(m.spec as { forProvider: Json }).forProvider, ...patch } },
});

/** For each rule, resources that break it, built from what the examples render. */
const NEGATIVE: Record<string, () => Manifest[]> = {
  'data-stores-private': () => [
    setForProvider(sample('Vault'), { publicNetworkAccessEnabled: true }),
    setForProvider(sample('Account'), { allowNestedItemsToBePublic: true }),
  ],
  'tls-1.2': () => [
    setForProvider(sample('Account'), { minTlsVersion: 'TLS1_0' }),
    setForProvider(sample('ApplicationGateway'), { sslPolicy: { policyType: 'Predefined', policyName: 'AppGwSslPolicy20150501' } }),
  ],
  'aks-private-entra-only': () => [
    setForProvider(sample('KubernetesCluster'), { privateClusterEnabled: false }),
    setForProvider(sample('KubernetesCluster'), { localAccountDisabled: false }),
  ],
  'aks-baseline-posture': () => [
    setForProvider(sample('KubernetesCluster'), { runCommandEnabled: true }),
    setForProvider(sample('KubernetesCluster'), { maintenanceWindowNodeOs: undefined }),
    setForProvider(sample('KubernetesClusterNodePool'), { hostEncryptionEnabled: false }),
  ],
  // A gateway no diagnostic setting targets: one renamed.
  'gateway-diagnostics': () => [
    { ...sample('ApplicationGateway'), metadata: { name: 'agw-unlogged', annotations: { 'crossplane.io/external-name': 'agw-unlogged' } } },
  ],
  // A cluster without each add-on, and one no diagnostic setting targets (another ID, renamed).
  'aks-monitoring': () => [
    setForProvider(sample('KubernetesCluster'), { monitorMetrics: undefined }),
    setForProvider(sample('KubernetesCluster'), { omsAgent: undefined }),
    setForProvider(sample('KubernetesCluster'), { microsoftDefender: undefined }),
    { ...sample('KubernetesCluster'), metadata: { name: 'aks-unlogged' }, status: { atProvider: { id: '/subscriptions/0/aks-unlogged' } } },
  ],
  // A cluster on user-defined routing whose node subnet (the example's, without egress) has no default route.
  'egress-routed': () => [setForProvider(sample('KubernetesCluster'), { networkProfile: { outboundType: 'userDefinedRouting' } })],
  'vault-audit-log': () => [{ ...sample('Vault'), metadata: { name: 'kv-unlogged' }, status: { atProvider: { id: '/subscriptions/0/kv-unlogged' } } }],
  'vault-purge-protection': () => [setForProvider(sample('Vault'), { purgeProtectionEnabled: false })],
  'gateway-waf-https': () => {
    const gateway = sample('ApplicationGateway');
    const rules = (gateway.spec as { forProvider: { requestRoutingRule: Json[] } }).forProvider.requestRoutingRule.map((r) =>
      r.name === 'rule-http' ? { ...r, redirectConfigurationName: undefined, backendAddressPoolName: 'backendpool-dev' } : r,
    );
    return [
      setForProvider(gateway, { requestRoutingRule: rules }),
      setForProvider(sample('ApplicationGateway'), { firewallPolicyId: undefined }),
      setForProvider(sample('ApplicationGateway'), {
        wafConfiguration: { enabled: true, firewallMode: 'Prevention', ruleSetType: 'OWASP', ruleSetVersion: '3.2' },
      }),
    ];
  },
  'waf-policy-prevention': () => [
    setForProvider(sample('WebApplicationFirewallPolicy'), { policySettings: { enabled: true, mode: 'Detection' } }),
    setForProvider(sample('WebApplicationFirewallPolicy'), { managedRules: { managedRuleSet: [{ type: 'OWASP', version: '3.1' }] } }),
  ],
  'least-privilege-roles': () => [
    setForProvider(sample('RoleAssignment'), { roleDefinitionName: 'Contributor', scope: '/subscriptions/00000000-0000-0000-0000-000000000000' }),
  ],
  'no-plain-secrets': () => [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'leak' },
      data: { credentials: Buffer.from(JSON.stringify({ clientId: 'x', clientSecret: 'hunter2' })).toString('base64') },
    },
    { ...sample('Release'), spec: { forProvider: { values: { storage: { connection: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==' } } } } },
  ],
};

describe('the security policy', () => {
  it.each(POLICY.map((rule) => [rule.id, rule] as const))('%s holds for every resource the examples render', (_, rule) => {
    const subjects = resourcesFor(rule);
    expect(subjects.length, `no ${rule.kinds.join('/')} rendered`).toBeGreaterThan(0);
    const all = rendered.flatMap(withPayloads);
    const violations = subjects.map((m) => [m.metadata?.name ?? m.kind, rule.check(m, all)] as const).filter(([, problem]) => problem !== undefined);
    expect(violations).toEqual([]);
  });

  it.each(POLICY.map((rule) => [rule.id, rule] as const))('%s fails its negative fixture', (id, rule) => {
    const fixtures = NEGATIVE[id]?.();
    expect(fixtures, `${id} needs a negative fixture`).toBeDefined();
    for (const fixture of fixtures!) expect(rule.check(fixture, rendered), `${id} on ${fixture.kind}`).toBeDefined();
  });

  it('has a fixture for every rule and no fixture without a rule', () => {
    expect(Object.keys(NEGATIVE).sort()).toEqual(POLICY.map((r) => r.id).sort());
  });
});
