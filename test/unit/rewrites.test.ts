import { describe, expect, it } from 'vitest';
import type { ApplicationGatewaySpecForProviderRewriteRuleSet } from '../../imports/network.azure.m.upbound.io.js';
import { rewriteRuleSet } from '../../functions/k8tre/network/rewrites.js';

// Evaluates an App Gateway rewrite rule set against one exchange: every rule whose
// conditions all match (each against the original value) applies its actions, in rule
// sequence order, so a later rule wins on the same header. Captures are named
// {<variable>_<n>}, as App Gateway names them.
interface Exchange {
  http_req_Host?: string;
  http_resp_Location?: string;
  var_request_uri?: string;
}

function evaluate(set: ApplicationGatewaySpecForProviderRewriteRuleSet, exchange: Exchange) {
  const out: { host?: string; location?: string; queryString?: string } = {};
  const rules = [...(set.rewriteRule ?? [])].sort((a, b) => (a.ruleSequence ?? 0) - (b.ruleSequence ?? 0));
  for (const rule of rules) {
    const captures: Record<string, string> = {};
    const matched = (rule.condition ?? []).every((c) => {
      const value = exchange[c.variable as keyof Exchange];
      if (value === undefined || c.pattern === undefined) return false;
      const m = new RegExp(c.pattern, c.ignoreCase ? 'i' : '').exec(value);
      m?.forEach((group, i) => (captures[`${c.variable}_${i}`] = group ?? ''));
      return (m !== null) !== (c.negate ?? false);
    });
    if (!matched) continue;
    const fill = (template: string) => template.replace(/\{([a-zA-Z_]+_\d+)\}/g, (_, key: string) => captures[key] ?? '');
    for (const h of rule.requestHeaderConfiguration ?? []) if (h.headerName === 'Host') out.host = fill(h.headerValue ?? '');
    for (const h of rule.responseHeaderConfiguration ?? []) if (h.headerName === 'Location') out.location = fill(h.headerValue ?? '');
    if (rule.url?.queryString !== undefined) out.queryString = fill(rule.url.queryString);
  }
  return out;
}

// The reference's `rewrite-dev` set (k8tre-azure@9c53000c), with its literal domains.
const referenceDev: ApplicationGatewaySpecForProviderRewriteRuleSet = {
  name: 'rewrite-dev',
  rewriteRule: [
    ...['jupyter', 'opal', 'keycloak'].map((s, i) => ({
      name: `rewrite-host-${s}`,
      ruleSequence: 100 + 10 * i,
      condition: [{ variable: 'http_req_Host', pattern: `${s}.dev.karectl.dev`, ignoreCase: true }],
      requestHeaderConfiguration: [{ headerName: 'Host', headerValue: `${s}.dev.k8tre.internal` }],
    })),
    {
      name: 'rewrite-location-keycloak',
      ruleSequence: 200,
      condition: [{ variable: 'http_resp_Location', pattern: '(https?):\\/\\/.*keycloak\\.dev\\.k8tre\\.internal(.*)$' }],
      responseHeaderConfiguration: [{ headerName: 'Location', headerValue: '{http_resp_Location_1}://keycloak.dev.karectl.dev{http_resp_Location_2}' }],
    },
    {
      name: 'rewrite-location-jupyter',
      ruleSequence: 210,
      condition: [{ variable: 'http_resp_Location', pattern: '^(.*)jupyter\\.dev\\.k8tre\\.internal(.*)$' }],
      responseHeaderConfiguration: [{ headerName: 'Location', headerValue: '{http_resp_Location_1}jupyter.dev.karectl.dev{http_resp_Location_2}' }],
    },
    {
      name: 'rewrite-location-redirect-uri',
      ruleSequence: 220,
      condition: [{ variable: 'http_resp_Location', pattern: '(.*)(redirect_uri=https%3A%2F%2F)jupyter\\.dev\\.k8tre\\.internal(.*)$' }],
      responseHeaderConfiguration: [
        { headerName: 'Location', headerValue: '{http_resp_Location_1}{http_resp_Location_2}jupyter.dev.karectl.dev{http_resp_Location_3}' },
      ],
    },
    {
      name: 'rewrite-request-uri',
      ruleSequence: 300,
      condition: [
        { variable: 'var_request_uri', pattern: '^([^?]*\\?)(.*)redirect_uri=https%3A%2F%2Fjupyter\\.dev\\.karectl\\.dev%2Fhub%2Foauth_callback(.*)$' },
      ],
      url: {
        queryString: '{var_request_uri_2}redirect_uri=https%3A%2F%2Fjupyter.dev.k8tre.internal%2Fhub%2Foauth_callback{var_request_uri_3}',
        components: 'query_string_only',
      },
    },
  ],
};

const dns = {
  publicZone: 'karectl.dev',
  internalDomain: 'k8tre.internal',
  rewriteServices: ['jupyter', 'opal', 'keycloak'],
  oauthCallbacks: [{ service: 'jupyter', path: '/hub/oauth_callback' }],
};
const ours = rewriteRuleSet('dev', { public: 'dev.karectl.dev', internal: 'dev.k8tre.internal' }, dns);

const exchanges: [string, Exchange][] = [
  ['jupyter host', { http_req_Host: 'jupyter.dev.karectl.dev' }],
  ['opal host, any case', { http_req_Host: 'OPAL.Dev.Karectl.Dev' }],
  ['keycloak host', { http_req_Host: 'keycloak.dev.karectl.dev' }],
  ['a host that is not rewritten', { http_req_Host: 'portal.dev.karectl.dev' }],
  ['keycloak redirect', { http_resp_Location: 'https://keycloak.dev.k8tre.internal/realms/k8tre/account' }],
  ['jupyter redirect', { http_resp_Location: 'https://jupyter.dev.k8tre.internal/hub/login?next=%2Fhub%2F' }],
  [
    'login redirect carrying the callback',
    {
      http_resp_Location:
        'https://keycloak.dev.karectl.dev/realms/k8tre/auth?client_id=jh&redirect_uri=https%3A%2F%2Fjupyter.dev.k8tre.internal%2Fhub%2Foauth_callback&state=s',
    },
  ],
  [
    'authorize request naming the public callback',
    { var_request_uri: '/realms/k8tre/auth?client_id=jh&redirect_uri=https%3A%2F%2Fjupyter.dev.karectl.dev%2Fhub%2Foauth_callback&state=s' },
  ],
  ['a request with another redirect_uri', { var_request_uri: '/auth?redirect_uri=https%3A%2F%2Fportal.dev.karectl.dev%2Fcb' }],
];

describe('gateway rewrite rules', () => {
  it.each(exchanges)('%s: does what the reference rule set does', (_, exchange) => {
    expect(evaluate(ours, exchange)).toEqual(evaluate(referenceDev, exchange));
  });

  it('rewrites what the reference documents, not nothing', () => {
    expect(evaluate(ours, { http_req_Host: 'jupyter.dev.karectl.dev' }).host).toBe('jupyter.dev.k8tre.internal');
    expect(evaluate(ours, exchanges[6]![1]).location).toBe(
      'https://keycloak.dev.karectl.dev/realms/k8tre/auth?client_id=jh&redirect_uri=https%3A%2F%2Fjupyter.dev.karectl.dev%2Fhub%2Foauth_callback&state=s',
    );
    expect(evaluate(ours, exchanges[7]![1]).queryString).toBe(
      'client_id=jh&redirect_uri=https%3A%2F%2Fjupyter.dev.k8tre.internal%2Fhub%2Foauth_callback&state=s',
    );
  });

  it('anchors host patterns, where the reference matched any host containing the name', () => {
    expect(evaluate(ours, { http_req_Host: 'notjupyter.dev.karectl.dev' }).host).toBeUndefined();
    expect(evaluate(referenceDev, { http_req_Host: 'notjupyter.dev.karectl.dev' }).host).toBe('jupyter.dev.k8tre.internal');
  });

  it('serves the apex environment without an environment label, like prd in the reference', () => {
    const prd = rewriteRuleSet('prd', { public: 'karectl.dev', internal: 'k8tre.internal' }, dns);
    expect(evaluate(prd, { http_req_Host: 'jupyter.karectl.dev' }).host).toBe('jupyter.k8tre.internal');
    expect(evaluate(prd, { http_resp_Location: 'https://keycloak.k8tre.internal/x' }).location).toBe('https://keycloak.karectl.dev/x');
  });

  it('also maps Location for services the reference left out (opal)', () => {
    expect(evaluate(ours, { http_resp_Location: 'https://opal.dev.k8tre.internal/ws' }).location).toBe('https://opal.dev.karectl.dev/ws');
  });
});
