import type { ApplicationGatewaySpecForProviderRewriteRuleSet } from '../../../imports/network.azure.m.upbound.io.js';
import type { DnsSpec } from './spec.js';

// Rewrite rules for deployments whose internal domain differs from the public one. They
// reproduce the reference's rule set (k8tre-azure@9c53000c, `rewrite-<env>`), generalised
// from its hard-coded jupyter/opal/keycloak and karectl.dev/k8tre.internal literals:
//
//   host        request Host public -> internal, so the in-cluster Gateway routes it
//   location    response Location internal -> public, so redirects leave the private name
//   redirect    a Location carrying redirect_uri=https%3A%2F%2F<internal> -> public
//   query       a request whose redirect_uri names the public callback -> internal, so the
//               identity provider sees the callback it was registered with
//
// Sequences keep the reference's order (hosts, then locations, then redirect_uri, then the
// query string), five apart so that up to twenty services fit in each hundred.

export function rewriteRuleSetName(env: string): string {
  return `rewrite-${env}`;
}

export function rewriteRuleSet(
  env: string,
  domains: { public: string; internal: string },
  dns: Pick<DnsSpec, 'rewriteServices' | 'oauthCallbacks'>,
): ApplicationGatewaySpecForProviderRewriteRuleSet {
  const pub = (service: string) => `${service}.${domains.public}`;
  const internal = (service: string) => `${service}.${domains.internal}`;

  const hostRules = dns.rewriteServices.map((service, i) => ({
    name: `rewrite-host-${service}`,
    ruleSequence: 100 + 5 * i,
    condition: [{ variable: 'http_req_Host', pattern: `^${escapeRegex(pub(service))}$`, ignoreCase: true, negate: false }],
    requestHeaderConfiguration: [{ headerName: 'Host', headerValue: internal(service) }],
  }));

  const locationRules = dns.rewriteServices.map((service, i) => ({
    name: `rewrite-location-${service}`,
    ruleSequence: 200 + 5 * i,
    condition: [{ variable: 'http_resp_Location', pattern: `^(.*)${escapeRegex(internal(service))}(.*)$`, ignoreCase: false, negate: false }],
    responseHeaderConfiguration: [{ headerName: 'Location', headerValue: `{http_resp_Location_1}${pub(service)}{http_resp_Location_2}` }],
  }));

  const redirectUriRules = dns.oauthCallbacks.map(({ service }, i) => ({
    name: `rewrite-location-redirect-uri-${service}`,
    ruleSequence: 300 + 5 * i,
    condition: [
      { variable: 'http_resp_Location', pattern: `(.*)(redirect_uri=https%3A%2F%2F)${escapeRegex(internal(service))}(.*)$`, ignoreCase: false, negate: false },
    ],
    responseHeaderConfiguration: [{ headerName: 'Location', headerValue: `{http_resp_Location_1}{http_resp_Location_2}${pub(service)}{http_resp_Location_3}` }],
  }));

  const queryRules = dns.oauthCallbacks.map(({ service, path }, i) => {
    const encodedPath = encodeURIComponent(path);
    return {
      name: `rewrite-request-uri-${service}`,
      ruleSequence: 400 + 5 * i,
      condition: [
        {
          variable: 'var_request_uri',
          pattern: `^([^?]*\\?)(.*)redirect_uri=https%3A%2F%2F${escapeRegex(pub(service))}${escapeRegex(encodedPath)}(.*)$`,
          ignoreCase: false,
          negate: false,
        },
      ],
      url: {
        queryString: `{var_request_uri_2}redirect_uri=https%3A%2F%2F${internal(service)}${encodedPath}{var_request_uri_3}`,
        components: 'query_string_only',
      },
    };
  });

  return { name: rewriteRuleSetName(env), rewriteRule: [...hostRules, ...locationRules, ...redirectUriRules, ...queryRules] };
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
