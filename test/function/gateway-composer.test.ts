import { describe, expect, it } from 'vitest';
import { networkWithEnvironments } from '../../scripts/bench/scenarios.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { loadExample, settle, withField, type Json } from '../support/function.js';

// The Application Gateway composer (network/gateway.ts), case by case, in-process: each case
// edits the reference network, settles it as Crossplane would, and says what the gateway must be.
// The render tests hold the same output to the provider's schema through the real CLI; these say
// why each part of it is so.

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
const reference = loadExample('examples/network/k8tre.yaml');
const forProvider = (manifest: Json | undefined) => (manifest?.spec as { forProvider: Record<string, unknown> }).forProvider;

interface Named {
  name: string;
  [field: string]: unknown;
}
const byName = (list: unknown, name: string) => (list as Named[]).find((item) => item.name === name);
const names = (list: unknown) => (list as Named[]).map((item) => item.name);

interface Case {
  readonly reason: string;
  readonly xr: Json;
  /** What the first gateway's forProvider must hold, and anything else the case checks. */
  readonly want: (gateway: Record<string, unknown>, tree: Record<string, Json>) => void;
}

const cases: Record<string, Case> = {
  'one HTTPS listener per exposed environment': {
    reason: 'Each environment is its own site: its domain and wildcard, SNI, and its own certificate; the internal management environment has none.',
    xr: reference,
    want: (gateway) => {
      expect(byName(gateway.httpListener, 'listener-https-dev')).toEqual({
        name: 'listener-https-dev',
        frontendIpConfigurationName: 'appGwFrontendIP',
        frontendPortName: 'https',
        protocol: 'Https',
        hostNames: ['dev.karectl.org', '*.dev.karectl.org'],
        requireSni: true,
        sslCertificateName: 'ssl-cert-dev',
      });
      expect(names(gateway.httpListener)).toEqual(['listener-https-dev', 'listener-https-prd', 'listener-https-stg', 'listener-http']);
    },
  },
  'the apex environment': {
    reason: 'prd serves the zone apex and its wildcard, which would shadow every other environment, so its rule ranks after all of theirs.',
    xr: reference,
    want: (gateway) => {
      expect(byName(gateway.httpListener, 'listener-https-prd')?.hostNames).toEqual(['karectl.org', '*.karectl.org']);
      const priority = (name: string) => Number(byName(gateway.requestRoutingRule, name)?.priority);
      expect(priority('rule-prd')).toBeGreaterThan(Math.max(priority('rule-dev'), priority('rule-stg')));
    },
  },
  'HTTP is redirected to HTTPS by one rule': {
    reason:
      'One host-less listener per gateway, whose rule comes after every other, redirects every host, keeping path and query: it doubles the environments a gateway serves.',
    xr: reference,
    want: (gateway) => {
      expect(byName(gateway.httpListener, 'listener-http')).toEqual({
        name: 'listener-http',
        frontendIpConfigurationName: 'appGwFrontendIP',
        frontendPortName: 'http',
        protocol: 'Http',
      });
      expect(gateway.redirectConfiguration).toEqual([
        { name: 'redirect-to-https', redirectType: 'Permanent', targetListenerName: 'listener-https-dev', includePath: true, includeQueryString: true },
      ]);
      const rules = gateway.requestRoutingRule as { name: string; priority: number }[];
      expect(rules.at(-1)).toMatchObject({ name: 'rule-http', redirectConfigurationName: 'redirect-to-https' });
      expect(Math.max(...rules.map((r) => r.priority))).toBe(rules.at(-1)?.priority);
    },
  },
  'TLS 1.2 and strong ciphers only': {
    reason: "Azure's predefined policy AppGwSslPolicy20220101S sets TLS 1.2 as the minimum; HTTP/2 on.",
    xr: withField(reference, 'spec.gateway.sku', 'Standard_v2'),
    want: (gateway) => expect(gateway).toMatchObject({ sslPolicy: { policyType: 'Predefined', policyName: 'AppGwSslPolicy20220101S' }, http2Enabled: true }),
  },
  'a composed WAF policy': {
    reason: 'WAF_v2 takes its policy by ID (inline WAF configuration is retired), forced onto the gateway, in the mode the XR asks for.',
    xr: withField(reference, 'spec.gateway.waf', { mode: 'Detection' }),
    want: (gateway, tree) => {
      expect(gateway).toMatchObject({
        firewallPolicyId: expect.stringMatching(/WebApplicationFirewallPolicy\/k8tre-gateway-waf-policy$/),
        forceFirewallPolicyAssociation: true,
      });
      expect(forProvider(tree['gateway-waf-policy'])).toMatchObject({ policySettings: { mode: 'Detection' } });
    },
  },
  "an organisation's WAF policy": {
    reason: 'A policy given by ID is attached as it is, and none is composed beside it.',
    xr: withField(reference, 'spec.gateway.waf', {
      firewallPolicyId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sec/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/waf-org',
    }),
    want: (gateway, tree) => {
      expect(gateway.firewallPolicyId).toMatch(/waf-org$/);
      expect(tree['gateway-waf-policy']).toBeUndefined();
    },
  },
  'no WAF on Standard_v2': {
    reason: 'Standard_v2 has no WAF, so no policy is attached or composed.',
    xr: withField(reference, 'spec.gateway.sku', 'Standard_v2'),
    want: (gateway, tree) => {
      expect(gateway.firewallPolicyId).toBeUndefined();
      expect(tree['gateway-waf-policy']).toBeUndefined();
    },
  },
  'backends: the cluster gateway behind the private zone': {
    reason:
      "Each environment's pool is gw.<env domain>, probed over HTTPS; the client's Host header is kept so the cluster's gateway routes by host; no cookie affinity in front of a stateless gateway.",
    xr: reference,
    want: (gateway) => {
      expect(byName(gateway.backendAddressPool, 'backendpool-dev')).toEqual({ name: 'backendpool-dev', fqdns: ['gw.dev.karectl.org'] });
      expect(byName(gateway.backendHttpSettings, 'https-settings-dev')).toMatchObject({
        protocol: 'Https',
        port: 443,
        cookieBasedAffinity: 'Disabled',
        pickHostNameFromBackendAddress: false,
        probeName: 'health-probe-dev',
      });
      expect(byName(gateway.probe, 'health-probe-dev')).toMatchObject({ protocol: 'Https', host: 'gw.dev.karectl.org', match: { statusCode: ['200-399'] } });
    },
  },
  'split horizon needs no rewrites': {
    reason: 'With the same domain inside and out, the backend sees the names users typed, so no rewrite rule set is composed.',
    xr: reference,
    want: (gateway) => {
      expect(gateway.rewriteRuleSet).toBeUndefined();
      for (const rule of gateway.requestRoutingRule as Named[]) expect(rule.rewriteRuleSetName).toBeUndefined();
    },
  },
  'an internal domain is rewritten both ways': {
    reason:
      "Users reach karectl.dev while the zones are k8tre.internal: each environment's rule rewrites Host, Location and redirect_uri through a rule set of its own.",
    xr: loadExample('examples/network/internal-domain.yaml'),
    want: (gateway) => {
      expect(byName(gateway.backendAddressPool, 'backendpool-dev')).toEqual({ name: 'backendpool-dev', fqdns: ['gw.dev.k8tre.internal'] });
      expect(names(gateway.rewriteRuleSet)).toContain(byName(gateway.requestRoutingRule, 'rule-dev')?.rewriteRuleSetName);
    },
  },
  'one zone': {
    reason: 'A gateway in one zone needs no second instance for zone redundancy.',
    xr: withField(withField(reference, 'spec.gateway.zones', ['1']), 'spec.gateway.minCapacity', 1),
    want: (gateway) => expect(gateway).toMatchObject({ zones: ['1'], autoscaleConfiguration: { minCapacity: 1, maxCapacity: 3 } }),
  },
  'certificates by versionless ID': {
    reason: 'The gateway reads each certificate through its own identity by an ID without a version, so a renewal in the vault needs no change here.',
    xr: reference,
    want: (gateway) =>
      expect(byName(gateway.sslCertificate, 'ssl-cert-stg')).toEqual({
        name: 'ssl-cert-stg',
        keyVaultSecretId: 'https://kv-k8tre-certs.vault.azure.net/secrets/tls-stg-pfx',
      }),
  },
};

describe('the Application Gateway composer', () => {
  for (const [name, { reason, xr, want }] of Object.entries(cases)) {
    it(`${name}: ${reason}`, () => {
      const { tree } = settle(xr, observe);
      want(forProvider(tree['gateway']), tree);
    });
  }

  it('100 exposed environments: a second gateway with its own public IP and numbered DNS label, since a gateway holds 100 listeners', () => {
    const { tree } = settle(withField(networkWithEnvironments(100), 'spec.gateway.domainNameLabel', 'karectl-appgw'), observe);
    const first = forProvider(tree['gateway']);
    const second = forProvider(tree['gateway-2']);
    expect((first.httpListener as Named[]).length).toBe(100);
    expect(names(second.httpListener)).toEqual(['listener-https-env100', 'listener-http']);
    expect(forProvider(tree['gateway-2-public-ip'])).toMatchObject({ domainNameLabel: 'karectl-appgw-2' });
    expect(forProvider(tree['gateway-public-ip'])).toMatchObject({ domainNameLabel: 'karectl-appgw' });
  });
});
