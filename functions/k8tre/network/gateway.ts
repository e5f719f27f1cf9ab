import { UserAssignedIdentity } from '../../../imports/managedidentity.azure.m.upbound.io.js';
import {
  ApplicationGateway,
  PublicIp,
  WebApplicationFirewallPolicy,
  type ApplicationGatewaySpecForProvider,
} from '../../../imports/network.azure.m.upbound.io.js';
import { parseArmId } from '../lib/arm-id.js';
import { render } from '../lib/manifest.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { isObject } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import type { DesiredResources } from '../lib/composition.js';
import { environmentDomains, isSplitHorizon } from './domains.js';
import type { HubAttachment } from './hub.js';
import { azureNames, keys, meta, networkStamp, placement, refTo } from './naming.js';
import type { RoutingPriorities } from './priorities.js';
import { rewriteRuleSet, rewriteRuleSetName } from './rewrites.js';
import type { EnvironmentSpec, NetworkSpec } from './spec.js';

const FRONTEND_IP = 'appGwFrontendIP';
const KEY_VAULT_SECRETS_USER = 'Key Vault Secrets User';
/** Azure's predefined policy with TLS 1.2 as the minimum and only strong ciphers. */
const TLS_POLICY = 'AppGwSslPolicy20220101S';

export interface GatewayListener {
  readonly environment: string;
  readonly hosts: readonly string[];
  readonly backend: string;
  readonly priority: number;
  readonly certificateSecretId: string;
}

export interface GatewayOutcome {
  readonly listeners: readonly GatewayListener[];
  /** Why the gateway is not composed yet, when it is waiting on observed IDs. */
  readonly waitingFor?: string;
}

export function composeGateway(
  spec: NetworkSpec,
  hub: HubAttachment,
  priorities: ReadonlyMap<string, RoutingPriorities>,
  observed: Observed,
  desired: DesiredResources,
): GatewayOutcome {
  const common = { providerConfigRef: spec.providerConfigRef };
  // Listener blocks are sets to Azure; a stable order keeps diffs quiet.
  const environments = spec.environments.filter((e) => e.exposed).sort((a, b) => a.name.localeCompare(b.name));
  const listeners = environments.map((env) => listenerFor(spec, env, priorities));

  desired.set(
    keys.gatewayPublicIp,
    render(PublicIp, {
      metadata: meta(spec, keys.gatewayPublicIp, { azureName: azureNames.publicIp(spec) }),
      spec: {
        ...common,
        forProvider: {
          ...placement(spec),
          allocationMethod: 'Static',
          sku: 'Standard',
          skuTier: 'Regional',
          zones: [...spec.gateway.zones],
          ...(spec.gateway.domainNameLabel && { domainNameLabel: spec.gateway.domainNameLabel }),
        },
      },
    }),
  );

  desired.set(
    keys.gatewayIdentity,
    render(UserAssignedIdentity, {
      metadata: meta(spec, keys.gatewayIdentity, { azureName: azureNames.gatewayIdentity(spec) }),
      spec: { ...common, forProvider: { name: azureNames.gatewayIdentity(spec), ...placement(spec) } },
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
        scope: spec.gateway.certificateKeyVaultId,
        principalId,
        why: `Lets Application Gateway ${azureNames.gateway(spec)} read its TLS certificates`,
      }),
    );
  }

  const waf = composeWafPolicy(spec, observed, desired);

  // The gateway reads its certificates when it is created, so it waits for the role
  // assignment to be in place. Once it exists it is always composed, never dropped.
  const identityId = observed.atProvider(keys.gatewayIdentity, 'id') ?? stringAt(observed.forProvider(keys.gateway, 'identity', 'identityIds'), 0);
  const gatewayExists = observed.has(keys.gateway);
  if (!identityId) return { listeners, waitingFor: `the gateway identity ${azureNames.gatewayIdentity(spec)} to report its ID` };
  if (!gatewayExists && !observed.isReady(keys.gatewayKeyVaultRole)) {
    return { listeners, waitingFor: `the ${KEY_VAULT_SECRETS_USER} role assignment for ${azureNames.gatewayIdentity(spec)} to become ready` };
  }
  if (!gatewayExists && waf.waitingFor) return { listeners, waitingFor: waf.waitingFor };

  const forProvider: ApplicationGatewaySpecForProvider = {
    ...placement(spec),
    sku: { name: spec.gateway.sku, tier: spec.gateway.sku },
    autoscaleConfiguration: { minCapacity: spec.gateway.minCapacity, maxCapacity: spec.gateway.maxCapacity },
    zones: [...spec.gateway.zones],
    identity: { type: 'UserAssigned', identityIds: [identityId] },
    http2Enabled: true,
    sslPolicy: { policyType: 'Predefined', policyName: TLS_POLICY },
    ...waf.settings,
    gatewayIpConfiguration: [
      { name: 'appGatewayIpConfig', ...(hub.appGatewaySubnetRef ? { subnetIdRef: hub.appGatewaySubnetRef } : { subnetId: hub.appGatewaySubnetId }) },
    ],
    frontendIpConfiguration: [{ name: FRONTEND_IP, publicIpAddressIdRef: refTo(spec, keys.gatewayPublicIp) }],
    frontendPort: [
      { name: 'https', port: 443 },
      { name: 'http', port: 80 },
    ],
    sslCertificate: listeners.map((l) => ({ name: `ssl-cert-${l.environment}`, keyVaultSecretId: l.certificateSecretId })),
    httpListener: listeners.flatMap((l) => [
      {
        name: `listener-https-${l.environment}`,
        frontendIpConfigurationName: FRONTEND_IP,
        frontendPortName: 'https',
        protocol: 'Https',
        hostNames: [...l.hosts],
        requireSni: true,
        sslCertificateName: `ssl-cert-${l.environment}`,
      },
      { name: `listener-http-${l.environment}`, frontendIpConfigurationName: FRONTEND_IP, frontendPortName: 'http', protocol: 'Http', hostNames: [...l.hosts] },
    ]),
    redirectConfiguration: listeners.map((l) => ({
      name: `redirect-https-${l.environment}`,
      redirectType: 'Permanent',
      targetListenerName: `listener-https-${l.environment}`,
      includePath: true,
      includeQueryString: true,
    })),
    backendAddressPool: listeners.map((l) => ({ name: `backendpool-${l.environment}`, fqdns: [l.backend] })),
    probe: listeners.map((l) => ({
      name: `health-probe-${l.environment}`,
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
      name: `https-settings-${l.environment}`,
      port: 443,
      protocol: 'Https',
      // The reference pinned sessions with cookie affinity; the backend is a stateless gateway.
      cookieBasedAffinity: 'Disabled',
      requestTimeout: 30,
      // Keep the client's Host header so the cluster gateway can route by host name.
      pickHostNameFromBackendAddress: false,
      probeName: `health-probe-${l.environment}`,
    })),
    requestRoutingRule: listeners.flatMap((l) => {
      const priority = priorities.get(l.environment);
      if (!priority) throw new Error(`internal: no routing priority for ${l.environment}`);
      return [
        {
          name: `rule-${l.environment}`,
          ruleType: 'Basic',
          priority: priority.https,
          httpListenerName: `listener-https-${l.environment}`,
          backendAddressPoolName: `backendpool-${l.environment}`,
          backendHttpSettingsName: `https-settings-${l.environment}`,
          ...(!isSplitHorizon(spec) && { rewriteRuleSetName: rewriteRuleSetName(l.environment) }),
        },
        {
          name: `rule-http-${l.environment}`,
          ruleType: 'Basic',
          priority: priority.httpRedirect,
          httpListenerName: `listener-http-${l.environment}`,
          redirectConfigurationName: `redirect-https-${l.environment}`,
        },
      ];
    }),
    ...(!isSplitHorizon(spec) && {
      rewriteRuleSet: environments.map((env) => rewriteRuleSet(env.name, environmentDomains(spec, env), spec.dns)),
    }),
  };

  desired.set(
    keys.gateway,
    render(ApplicationGateway, { metadata: meta(spec, keys.gateway, { azureName: azureNames.gateway(spec) }), spec: { ...common, forProvider } }),
  );
  return { listeners };
}

function listenerFor(spec: NetworkSpec, env: EnvironmentSpec, priorities: ReadonlyMap<string, RoutingPriorities>): GatewayListener {
  const domains = environmentDomains(spec, env);
  return {
    environment: env.name,
    hosts: [domains.public, `*.${domains.public}`],
    backend: `gw.${domains.internal}`,
    priority: priorities.get(env.name)?.https ?? 0,
    certificateSecretId: versionlessSecretId(spec.gateway.certificateKeyVaultId, env.certificateSecretName),
  };
}

/** A secret ID without a version, so the gateway picks up renewed certificates by itself. */
export function versionlessSecretId(keyVaultId: string, secretName: string): string {
  const vaultName = parseArmId(keyVaultId).name;
  return `https://${vaultName.toLowerCase()}.vault.azure.net/secrets/${secretName}`;
}

interface WafOutcome {
  readonly settings: Partial<ApplicationGatewaySpecForProvider>;
  readonly waitingFor?: string;
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
          ...placement(spec),
          policySettings: { enabled: true, mode: spec.gateway.wafMode, requestBodyCheck: true },
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
  const policyId = observed.atProvider(keys.gatewayWafPolicy, 'id') ?? stringAt(observed.forProvider(keys.gateway, 'firewallPolicyId'));
  if (policyId) return attach(policyId);
  const inline = observed.forProvider(keys.gateway, 'wafConfiguration');
  const held = isObject(inline) ? { wafConfiguration: inline as ApplicationGatewaySpecForProvider['wafConfiguration'] } : {};
  return { settings: held, waitingFor: `the WAF policy ${azureNames.wafPolicy(spec)} to report its ID` };
}

function stringAt(value: unknown, index?: number): string | undefined {
  const item: unknown = index === undefined ? value : Array.isArray(value) ? (value as unknown[])[index] : undefined;
  return typeof item === 'string' && item !== '' ? item : undefined;
}
