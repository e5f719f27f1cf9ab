import { UserAssignedIdentity } from '../../../imports/managedidentity.azure.m.upbound.io.js';
import {
  ApplicationGateway,
  PublicIp,
  WebApplicationFirewallPolicy,
  type ApplicationGatewaySpecForProvider,
} from '../../../imports/network.azure.m.upbound.io.js';
import { render } from '../lib/manifest.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { isObject } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import type { DesiredResources } from '../lib/composition.js';
import type { Outcome, Wait } from '../lib/waits.js';
import { gatewayGates } from './gates.js';
import { isSplitHorizon } from './domains.js';
import type { HubAttachment } from './hub.js';
import { azureNames, gatewayChildNames, keys, meta, networkStamp, placement, refTo } from './naming.js';
import type { GatewayPlacement } from './gateway-placement.js';
import { HTTP_REDIRECT_PRIORITY, type RoutingPriorities } from './priorities.js';
import { rewriteRuleSet, rewriteRuleSetName } from './rewrites.js';
import type { EnvironmentSpec, NetworkSpec } from './spec.js';
import type { SpokeStatus } from '../spoke/contract.js';
import { inForceSecretId, servedSecretId } from './certificates.js';
import { optional } from '../lib/spec-reader.js';

const FRONTEND_IP = 'appGwFrontendIP';
const KEY_VAULT_SECRETS_USER = 'Key Vault Secrets User';
/** Azure's predefined policy with TLS 1.2 as the minimum and only strong ciphers. */
const TLS_POLICY = 'AppGwSslPolicy20220101S';

export interface GatewayListener {
  readonly environment: string;
  /** Which gateway serves it (gateway-placement.ts). */
  readonly gateway: number;
  readonly hosts: readonly string[];
  readonly backend: string;
  readonly priority: number;
  /** The secret it serves; absent while a certificate Key Vault issues does not exist yet (network/certificates.ts). */
  readonly certificateSecretId?: string;
}

/** A listener whose certificate exists: on its gateway. */
type ServedListener = GatewayListener & { readonly certificateSecretId: string };
const hasCertificate = (l: GatewayListener): l is ServedListener => l.certificateSecretId !== undefined;

/**
 * Every exposed environment's listener, where it is placed (those without a certificate yet are
 * not on their gateway), and what holds a gateway or a listener back: the first reason only, as
 * one gateway's wait is every gateway's.
 */
export type GatewayOutcome = Outcome<{ readonly listeners: readonly GatewayListener[] }>;

/** Every host on port 80 is redirected to HTTPS by one rule per gateway, after every environment's. */
const HTTP_LISTENER = 'listener-http';
const HTTP_REDIRECT = 'redirect-to-https';
const HTTP_RULE = 'rule-http';

export function composeGateways(
  spec: NetworkSpec,
  hub: HubAttachment,
  priorities: ReadonlyMap<string, RoutingPriorities>,
  onGateways: GatewayPlacement,
  spokes: ReadonlyMap<string, SpokeStatus>,
  observed: Observed,
  desired: DesiredResources,
): GatewayOutcome {
  const { providerConfigRef } = spec;
  // Listener blocks are sets to Azure; a stable order keeps diffs quiet.
  const environments = spec.environments.filter((e) => e.exposed).sort((a, b) => a.name.localeCompare(b.name));
  const listeners = environments.map((env) => listenerFor(spec, env, priorities, onGateways, spokes.get(env.name), observed));

  for (let index = 0; index < onGateways.count; index++) {
    desired.set(
      keys.gatewayPublicIp(index),
      render(PublicIp, {
        metadata: meta(spec, keys.gatewayPublicIp(index), { azureName: azureNames.publicIp(spec, index) }),
        spec: {
          providerConfigRef,
          forProvider: {
            allocationMethod: 'Static',
            sku: 'Standard',
            skuTier: 'Regional',
            zones: [...spec.gateway.zones],
            ...placement(spec),
            // A DNS label is unique in its region: the first gateway takes it as given, the others numbered.
            ...(spec.gateway.domainNameLabel && {
              domainNameLabel: index === 0 ? spec.gateway.domainNameLabel : `${spec.gateway.domainNameLabel}-${index + 1}`,
            }),
          },
        },
      }),
    );
  }

  // One identity reads the certificates for every gateway, so one role assignment serves them all.
  desired.set(
    keys.gatewayIdentity,
    render(UserAssignedIdentity, {
      metadata: meta(spec, keys.gatewayIdentity, { azureName: azureNames.gatewayIdentity(spec) }),
      spec: { providerConfigRef, forProvider: { name: azureNames.gatewayIdentity(spec), ...placement(spec) } },
    }),
  );

  // The namespaced RoleAssignment has no principalIdRef: the principal ID exists only once
  // the identity is observed. An assignment made earlier keeps its own principal.
  const principalId = observed.atProvider(keys.gatewayIdentity, 'principalId') ?? stringAt(observed.forProvider(keys.gatewayKeyVaultRole, 'principalId'));
  if (principalId) {
    desired.set(
      keys.gatewayKeyVaultRole,
      roleAssignment(networkStamp(spec), {
        key: keys.gatewayKeyVaultRole,
        role: KEY_VAULT_SECRETS_USER,
        scope: spec.gateway.certificates.keyVaultId,
        principalId,
        why: `Lets the Application Gateways of ${spec.name} read their TLS certificates`,
      }),
    );
  }

  const waf = composeWafPolicy(spec, observed, desired);

  // A gateway reads its certificates when it is created, so it waits for the role assignment to
  // be in place. Once it exists it is always composed, never dropped.
  const identityId = observed.atProvider(keys.gatewayIdentity, 'id') ?? stringAt(observed.forProvider(keys.gateway(0), 'identity', 'identityIds'), 0);
  let waitingFor: Wait | undefined;
  for (let index = 0; index < onGateways.count; index++) {
    const exists = observed.has(keys.gateway(index));
    const blocker = !identityId
      ? gatewayGates.gatewayIdentity(azureNames.gatewayIdentity(spec))
      : !exists && !observed.isReady(keys.gatewayKeyVaultRole)
        ? gatewayGates.keyVaultRole(KEY_VAULT_SECRETS_USER, azureNames.gatewayIdentity(spec))
        : !exists
          ? waf.waitingFor
          : undefined;
    // A gateway is created with the certificates that exist; one whose environments have none yet waits for them.
    const placed = listeners.filter((l) => l.gateway === index);
    const served = placed.filter(hasCertificate);
    const certificatesBlocker =
      !exists && placed.length > 0 && served.length === 0 ? gatewayGates.firstCertificates(placed.map((l) => l.environment)) : undefined;
    if (blocker || certificatesBlocker || !identityId) {
      waitingFor ??= blocker ?? certificatesBlocker;
      continue;
    }
    desired.set(
      keys.gateway(index),
      render(ApplicationGateway, {
        metadata: meta(spec, keys.gateway(index), { azureName: azureNames.gateway(spec, index) }),
        spec: { providerConfigRef, forProvider: gatewayForProvider(spec, hub, index, identityId, waf.settings, served, environments) },
      }),
    );
  }
  // Said after what holds a whole gateway back, and without naming them: the message stays the
  // same while certificates arrive, since each change of the XR's status costs it a watch event
  // (lib/pacing.ts). status.environments[].certificate says which.
  if (!listeners.every(hasCertificate)) waitingFor ??= gatewayGates.listenerCertificates();
  return { listeners, waits: waitingFor ? [waitingFor] : [] };
}

function gatewayForProvider(
  spec: NetworkSpec,
  hub: HubAttachment,
  index: number,
  identityId: string,
  wafSettings: Partial<ApplicationGatewaySpecForProvider>,
  listeners: readonly ServedListener[],
  environments: readonly EnvironmentSpec[],
): ApplicationGatewaySpecForProvider {
  // A basic (host-less) HTTP listener whose rule redirects to an HTTPS listener: Application
  // Gateway redirects a request received on one listener to another listener of the gateway,
  // keeping its host, path and query (https://learn.microsoft.com/azure/application-gateway/redirect-overview),
  // and a v2 gateway matches multi-site listeners before basic ones
  // (https://learn.microsoft.com/azure/application-gateway/configuration-listeners#order-of-processing-listeners).
  // One listener per gateway instead of one per environment doubles the environments a gateway serves.
  const redirectTarget = listeners[0];
  const served = new Set(listeners.map((l) => l.environment));
  return {
    sku: { name: spec.gateway.sku, tier: spec.gateway.sku },
    ...placement(spec),
    autoscaleConfiguration: { minCapacity: spec.gateway.minCapacity, maxCapacity: spec.gateway.maxCapacity },
    zones: [...spec.gateway.zones],
    identity: { type: 'UserAssigned', identityIds: [identityId] },
    http2Enabled: true,
    sslPolicy: { policyType: 'Predefined', policyName: TLS_POLICY },
    ...wafSettings,
    gatewayIpConfiguration: [
      { name: 'appGatewayIpConfig', ...(hub.appGatewaySubnetRef ? { subnetIdRef: hub.appGatewaySubnetRef } : { subnetId: hub.appGatewaySubnetId }) },
    ],
    frontendIpConfiguration: [{ name: FRONTEND_IP, publicIpAddressIdRef: refTo(spec, keys.gatewayPublicIp(index)) }],
    frontendPort: [
      { name: 'https', port: 443 },
      { name: 'http', port: 80 },
    ],
    sslCertificate: listeners.map((l) => ({ name: gatewayChildNames(l.environment).certificate, keyVaultSecretId: l.certificateSecretId })),
    httpListener: [
      ...listeners.map((l) => ({
        name: gatewayChildNames(l.environment).listener,
        frontendIpConfigurationName: FRONTEND_IP,
        frontendPortName: 'https',
        protocol: 'Https',
        hostNames: [...l.hosts],
        requireSni: true,
        sslCertificateName: gatewayChildNames(l.environment).certificate,
      })),
      ...(redirectTarget ? [{ name: HTTP_LISTENER, frontendIpConfigurationName: FRONTEND_IP, frontendPortName: 'http', protocol: 'Http' }] : []),
    ],
    redirectConfiguration: redirectTarget
      ? [
          {
            name: HTTP_REDIRECT,
            redirectType: 'Permanent',
            targetListenerName: gatewayChildNames(redirectTarget.environment).listener,
            includePath: true,
            includeQueryString: true,
          },
        ]
      : [],
    backendAddressPool: listeners.map((l) => ({ name: gatewayChildNames(l.environment).pool, fqdns: [l.backend] })),
    probe: listeners.map((l) => ({
      name: gatewayChildNames(l.environment).probe,
      protocol: 'Https',
      host: l.backend,
      path: '/',
      interval: 30,
      timeout: 30,
      unhealthyThreshold: 3,
      pickHostNameFromBackendHttpSettings: false,
      match: { statusCode: ['200-399'] },
    })),
    backendHttpSettings: listeners.map((l) => ({
      name: gatewayChildNames(l.environment).settings,
      port: 443,
      protocol: 'Https',
      // The reference pinned sessions with cookie affinity; the backend is a stateless gateway.
      cookieBasedAffinity: 'Disabled',
      requestTimeout: 30,
      // Keep the client's Host header so the cluster gateway can route by host name.
      pickHostNameFromBackendAddress: false,
      probeName: gatewayChildNames(l.environment).probe,
    })),
    requestRoutingRule: [
      ...listeners.map((l) => ({
        name: gatewayChildNames(l.environment).rule,
        ruleType: 'Basic',
        priority: l.priority,
        httpListenerName: gatewayChildNames(l.environment).listener,
        backendAddressPoolName: gatewayChildNames(l.environment).pool,
        backendHttpSettingsName: gatewayChildNames(l.environment).settings,
        ...(!isSplitHorizon(spec) && { rewriteRuleSetName: rewriteRuleSetName(l.environment) }),
      })),
      ...(redirectTarget
        ? [{ name: HTTP_RULE, ruleType: 'Basic', priority: HTTP_REDIRECT_PRIORITY, httpListenerName: HTTP_LISTENER, redirectConfigurationName: HTTP_REDIRECT }]
        : []),
    ],
    ...(!isSplitHorizon(spec) && {
      rewriteRuleSet: environments.filter((env) => served.has(env.name)).map((env) => rewriteRuleSet(env.name, env.domains, spec.dns)),
    }),
  };
}

function listenerFor(
  spec: NetworkSpec,
  env: EnvironmentSpec,
  priorities: ReadonlyMap<string, RoutingPriorities>,
  onGateways: GatewayPlacement,
  spoke: SpokeStatus | undefined,
  observed: Observed,
): GatewayListener {
  const domains = env.domains;
  const priority = priorities.get(env.name);
  const gateway = onGateways.byEnvironment.get(env.name);
  if (!priority || gateway === undefined) throw new Error(`internal: no routing priority or gateway for ${env.name}`);
  return {
    environment: env.name,
    gateway,
    hosts: [domains.public, `*.${domains.public}`],
    backend: `gw.${domains.internal}`,
    priority: priority.https,
    ...optional('certificateSecretId', servedSecretId(spec, env, spoke, inForceSecretId(observed, keys.gateway(gateway), env.name))),
  };
}

interface WafOutcome {
  readonly settings: Partial<ApplicationGatewaySpecForProvider>;
  readonly waitingFor?: Wait;
}

/**
 * WAF_v2 gets a WAF policy: the one given by ID, or one this XR composes. Azure stopped
 * accepting new inline WAF configurations on WAF_v2 on 2025-03-15 and retires the existing
 * ones on 2027-03-15 (https://learn.microsoft.com/azure/web-application-firewall/ag/upgrade-ag-waf-policy).
 * The composed policy runs Microsoft's Default Rule Set 2.2, the version Azure recommends
 * (https://learn.microsoft.com/azure/web-application-firewall/ag/application-gateway-crs-rulegroups-rules),
 * and the Bot Manager rules, in the mode the XR asks for (Prevention by default).
 *
 * The gateway takes the policy by ID, which exists once Azure reports it. A gateway made by
 * an earlier version with the inline configuration keeps it until then, never dropped.
 */
function composeWafPolicy(spec: NetworkSpec, observed: Observed, desired: DesiredResources): WafOutcome {
  if (spec.gateway.sku !== 'WAF_v2') return { settings: {} };
  const attach = (firewallPolicyId: string): WafOutcome => ({ settings: { firewallPolicyId, forceFirewallPolicyAssociation: true } });
  if (spec.gateway.firewallPolicyId) return attach(spec.gateway.firewallPolicyId);

  desired.set(
    keys.gatewayWafPolicy,
    render(WebApplicationFirewallPolicy, {
      metadata: meta(spec, keys.gatewayWafPolicy, { azureName: azureNames.wafPolicy(spec) }),
      spec: {
        providerConfigRef: spec.providerConfigRef,
        forProvider: {
          policySettings: { enabled: true, mode: spec.gateway.wafMode, requestBodyCheck: true },
          ...placement(spec),
          managedRules: {
            managedRuleSet: [
              { type: 'Microsoft_DefaultRuleSet', version: '2.2' },
              { type: 'Microsoft_BotManagerRuleSet', version: '1.1' },
            ],
          },
        },
      },
    }),
  );
  const policyId = observed.atProvider(keys.gatewayWafPolicy, 'id') ?? stringAt(observed.forProvider(keys.gateway(0), 'firewallPolicyId'));
  if (policyId) return attach(policyId);
  const inline = observed.forProvider(keys.gateway(0), 'wafConfiguration');
  const held = isObject(inline) ? { wafConfiguration: inline as ApplicationGatewaySpecForProvider['wafConfiguration'] } : {};
  return { settings: held, waitingFor: gatewayGates.wafPolicy(azureNames.wafPolicy(spec)) };
}

function stringAt(value: unknown, index?: number): string | undefined {
  const item: unknown = index === undefined ? value : Array.isArray(value) ? (value as unknown[])[index] : undefined;
  return typeof item === 'string' && item !== '' ? item : undefined;
}
