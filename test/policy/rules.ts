import type { Manifest } from '../../scripts/lib/reconcile.js';

// The security policy the package's output is held to, one rule per row. A rule looks at one
// rendered resource and returns what is wrong with it, or nothing. test/policy.test.ts runs
// every rule over every resource of every example, and each rule over a fixture that breaks
// it, so none can pass by never matching.

export interface Rule {
  readonly id: string;
  readonly description: string;
  /** The kinds the rule reads; a rule must see at least one in the examples. */
  readonly kinds: readonly string[];
  /** `all`: every resource rendered beside it, for rules about what must accompany a resource. */
  check(resource: Manifest, all: readonly Manifest[]): string | undefined;
}

type Fields = Record<string, unknown>;
const forProvider = (m: Manifest): Fields => (m.spec as { forProvider?: Fields } | undefined)?.forProvider ?? {};
const problems = (list: (string | false | undefined)[]) => list.filter((p): p is string => typeof p === 'string').join('; ') || undefined;

const SUBSCRIPTION_SCOPE = /^\/subscriptions\/[^/]+\/?$/i;
const BROAD_ROLES = new Set(['owner', 'contributor', 'user access administrator', 'role based access control administrator']);
const SECRET_KEYS = /^(password|passwd|secret|client_?secret|bearer_?token|token|private_?key|access_?key|account_?key|sas_?token|connection_?string)$/i;
const SECRET_VALUES = /(AccountKey=|SharedAccessSignature=|-----BEGIN [A-Z ]*PRIVATE KEY-----|sv=\d{4}-\d{2}-\d{2}&.*sig=)/;

/** Every key and string value in a JSON tree, with its path. */
function* walk(value: unknown, path: string): Generator<{ path: string; key: string; value: unknown }> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* walk(item, `${path}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield { path: `${path}.${key}`, key, value: item };
      yield* walk(item, `${path}.${key}`);
    }
  }
}

/**
 * What no diagnostic setting sends of `categories` for the resource: a setting targets it by its
 * ID as Azure reports it, or (before it does) by an ID ending in its name.
 */
function unlogged(m: Manifest, all: readonly Manifest[], categories: readonly string[]): string | undefined {
  const id = ((m.status as { atProvider?: Fields } | undefined)?.atProvider ?? {}).id;
  const names = new Set([m.metadata.name, m.metadata.annotations?.['crossplane.io/external-name']]);
  const logged = new Set(
    all
      .filter((d) => {
        const target = forProvider(d).targetResourceId;
        return d.kind === 'MonitorDiagnosticSetting' && typeof target === 'string' && (target === id || names.has(target.split('/').pop()));
      })
      .flatMap((d) => ((forProvider(d).enabledLog ?? []) as Fields[]).map((log) => log.category)),
  );
  const missing = categories.filter((category) => !logged.has(category));
  return missing.length > 0 ? `no diagnostic setting sends ${missing.join(', ')} to a workspace` : undefined;
}

/** The resource `id` names, by the ID Azure reports for it or (simulated) the Kubernetes name it ends in. */
function byId(all: readonly Manifest[], kind: string, id: unknown): Manifest | undefined {
  if (typeof id !== 'string') return undefined;
  const candidates = all.filter((m) => m.kind === kind);
  return (
    candidates.find((m) => ((m.status as { atProvider?: Fields } | undefined)?.atProvider ?? {}).id === id) ??
    candidates.find((m) => m.metadata.name === id.split('/').pop())
  );
}

/** The resources of `kind` whose `field` reference names `target`. */
const referring = (all: readonly Manifest[], kind: string, field: string, target: Manifest) =>
  all.filter((m) => m.kind === kind && (forProvider(m)[field] as { name?: string } | undefined)?.name === target.metadata.name);

/**
 * What an AKS cluster's outbound type needs on its node subnet: userDefinedRouting a route table,
 * associated, with 0.0.0.0/0 (AKS refuses it without one, and nodes without a route have no way
 * out); userAssignedNATGateway a NAT gateway, associated.
 */
function egressUnrouted(m: Manifest, all: readonly Manifest[]): string | undefined {
  const fp = forProvider(m);
  const outboundType = ((fp.networkProfile ?? {}) as Fields).outboundType;
  if (outboundType !== 'userDefinedRouting' && outboundType !== 'userAssignedNATGateway') return undefined;
  const subnet = byId(all, 'Subnet', ((fp.defaultNodePool ?? {}) as Fields).vnetSubnetId);
  if (!subnet) return `${String(outboundType)}, but its node subnet is not among the resources`;
  if (outboundType === 'userAssignedNATGateway') {
    return referring(all, 'SubnetNatGatewayAssociation', 'subnetIdRef', subnet).length > 0
      ? undefined
      : `${String(outboundType)} on a node subnet with no NAT gateway`;
  }
  const tables = referring(all, 'SubnetRouteTableAssociation', 'subnetIdRef', subnet).flatMap((a) =>
    all.filter((t) => t.kind === 'RouteTable' && t.metadata.name === (forProvider(a).routeTableIdRef as { name?: string } | undefined)?.name),
  );
  if (tables.length === 0) return `${String(outboundType)} on a node subnet with no route table`;
  const routed = tables.some((t) => ((forProvider(t).route ?? []) as Fields[]).some((r) => r.addressPrefix === '0.0.0.0/0'));
  return routed ? undefined : `${String(outboundType)} on a node subnet whose route table has no 0.0.0.0/0 route`;
}

export const POLICY: readonly Rule[] = [
  {
    id: 'data-stores-private',
    description: 'Key Vault and storage accounts take no public network traffic; the vault denies by default; no blob is public',
    kinds: ['Vault', 'Account'],
    check(m) {
      const fp = forProvider(m);
      if (m.kind === 'Vault') {
        return problems([
          fp.publicNetworkAccessEnabled !== false && 'publicNetworkAccessEnabled must be false',
          (fp.networkAcls as Fields | undefined)?.defaultAction !== 'Deny' && 'networkAcls.defaultAction must be Deny',
        ]);
      }
      if (m.kind === 'Account') {
        return problems([
          fp.publicNetworkAccessEnabled !== false && 'publicNetworkAccessEnabled must be false',
          fp.allowNestedItemsToBePublic !== false && 'allowNestedItemsToBePublic must be false',
        ]);
      }
      return undefined;
    },
  },
  {
    id: 'tls-1.2',
    description: 'TLS 1.2 or newer wherever TLS terminates: storage, and the gateway’s SSL policy',
    kinds: ['Account', 'ApplicationGateway'],
    check(m) {
      const fp = forProvider(m);
      if (m.kind === 'Account') return fp.minTlsVersion === 'TLS1_2' ? undefined : `minTlsVersion is ${String(fp.minTlsVersion)}, not TLS1_2`;
      if (m.kind === 'ApplicationGateway') {
        const policy = (fp.sslPolicy ?? {}) as Fields;
        // Predefined policies from 2022 on (AppGwSslPolicy20220101, ...S) allow TLS 1.2 and 1.3 only.
        const predefinedModern = policy.policyType === 'Predefined' && /^AppGwSslPolicy20(2[2-9]|[3-9]\d)/.test(String(policy.policyName));
        const customModern =
          (policy.policyType === 'Custom' || policy.policyType === 'CustomV2') && ['TLSv1_2', 'TLSv1_3'].includes(String(policy.minProtocolVersion));
        return predefinedModern || customModern ? undefined : `sslPolicy ${JSON.stringify(policy)} allows TLS older than 1.2`;
      }
      return undefined;
    },
  },
  {
    id: 'aks-private-entra-only',
    description: 'AKS clusters are private, with local accounts off and Entra ID with Azure RBAC on',
    kinds: ['KubernetesCluster'],
    check(m) {
      const fp = forProvider(m);
      const entra = (fp.azureActiveDirectoryRoleBasedAccessControl ?? {}) as Fields;
      return problems([
        fp.privateClusterEnabled !== true && 'privateClusterEnabled must be true',
        fp.privateClusterPublicFqdnEnabled === true && 'privateClusterPublicFqdnEnabled must not be true',
        fp.localAccountDisabled !== true && 'localAccountDisabled must be true',
        entra.azureRbacEnabled !== true && 'azureActiveDirectoryRoleBasedAccessControl.azureRbacEnabled must be true',
        !(Array.isArray(entra.adminGroupObjectIds) && entra.adminGroupObjectIds.length > 0) && 'an Entra admin group is required',
      ]);
    },
  },
  {
    id: 'aks-baseline-posture',
    description: 'AKS clusters have run command off, Image Cleaner on and maintenance windows for both upgrade channels; every pool encrypts at host',
    kinds: ['KubernetesCluster', 'KubernetesClusterNodePool'],
    check(m) {
      const fp = forProvider(m);
      if (m.kind === 'KubernetesClusterNodePool') return fp.hostEncryptionEnabled === true ? undefined : 'hostEncryptionEnabled must be true';
      return problems([
        fp.runCommandEnabled !== false && 'runCommandEnabled must be false',
        fp.imageCleanerEnabled !== true && 'imageCleanerEnabled must be true',
        fp.maintenanceWindowAutoUpgrade === undefined && 'no maintenanceWindowAutoUpgrade: AKS may upgrade at any hour',
        fp.maintenanceWindowNodeOs === undefined && 'no maintenanceWindowNodeOs: AKS may reimage nodes at any hour',
        ((fp.defaultNodePool ?? {}) as Fields).hostEncryptionEnabled !== true && 'defaultNodePool.hostEncryptionEnabled must be true',
      ]);
    },
  },
  {
    id: 'gateway-diagnostics',
    description: 'Every Application Gateway sends its access and WAF logs to a workspace, so that the WAF can be tuned before Prevention blocks researchers',
    kinds: ['ApplicationGateway'],
    check: (m, all) => unlogged(m, all, ['ApplicationGatewayAccessLog', 'ApplicationGatewayFirewallLog']),
  },
  {
    id: 'aks-monitoring',
    description:
      'AKS clusters send metrics to managed Prometheus, container logs to Container Insights and findings to Defender, and their control-plane audit and sign-in logs to a workspace',
    kinds: ['KubernetesCluster'],
    check(m, all) {
      const fp = forProvider(m);
      return problems([
        fp.monitorMetrics === undefined && 'no monitorMetrics: managed Prometheus is off',
        ((fp.omsAgent ?? {}) as Fields).msiAuthForMonitoringEnabled !== true && 'no omsAgent with its managed identity: Container Insights is off',
        fp.microsoftDefender === undefined && 'no microsoftDefender: Defender for Containers is off',
        unlogged(m, all, ['kube-audit-admin', 'guard']),
      ]);
    },
  },
  {
    id: 'egress-routed',
    description:
      'An AKS cluster that sends egress through the hub or a NAT gateway has it on its node subnet: an associated route table with 0.0.0.0/0, or an associated NAT gateway',
    kinds: ['KubernetesCluster'],
    check: egressUnrouted,
  },
  {
    id: 'vault-audit-log',
    description: 'Every Key Vault sends its audit log to a workspace',
    kinds: ['Vault'],
    check: (m, all) => unlogged(m, all, ['AuditEvent']),
  },
  {
    id: 'vault-purge-protection',
    description: 'Key Vaults have purge protection and at least a week of soft delete',
    kinds: ['Vault'],
    check(m) {
      const fp = forProvider(m);
      return problems([
        fp.purgeProtectionEnabled !== true && 'purgeProtectionEnabled must be true',
        !(typeof fp.softDeleteRetentionDays === 'number' && fp.softDeleteRetentionDays >= 7) && 'softDeleteRetentionDays must be at least 7',
      ]);
    },
  },
  {
    id: 'gateway-waf-https',
    description: 'The gateway runs a WAF policy (Azure refuses new inline WAF configurations), and plain HTTP listeners only redirect',
    kinds: ['ApplicationGateway'],
    check(m) {
      const fp = forProvider(m);
      const sku = (fp.sku ?? {}) as Fields;
      const listeners = (fp.httpListener ?? []) as Fields[];
      const plain = new Set(listeners.filter((l) => l.protocol === 'Http').map((l) => l.name));
      const serving = ((fp.requestRoutingRule ?? []) as Fields[]).filter(
        (r) => plain.has(r.httpListenerName) && (r.backendAddressPoolName !== undefined || r.redirectConfigurationName === undefined),
      );
      return problems([
        sku.tier !== 'WAF_v2' && `sku tier ${String(sku.tier)} has no WAF`,
        typeof fp.firewallPolicyId !== 'string' && 'no WAF policy',
        fp.wafConfiguration !== undefined && 'an inline wafConfiguration, which Azure no longer accepts on WAF_v2',
        serving.length > 0 && `HTTP listeners serve content: ${serving.map((r) => String(r.name)).join(', ')}`,
      ]);
    },
  },
  {
    id: 'waf-policy-prevention',
    description: "A composed WAF policy is on, in Prevention, with Microsoft's Default Rule Set 2.x",
    kinds: ['WebApplicationFirewallPolicy'],
    check(m) {
      const fp = forProvider(m);
      const settings = (fp.policySettings ?? {}) as Fields;
      const sets = (((fp.managedRules ?? {}) as Fields).managedRuleSet ?? []) as Fields[];
      return problems([
        settings.enabled !== true && 'policySettings.enabled must be true',
        settings.mode !== 'Prevention' && `policySettings.mode is ${String(settings.mode)}, not Prevention`,
        !sets.some((set) => set.type === 'Microsoft_DefaultRuleSet' && /^2\./.test(String(set.version))) && 'no Microsoft_DefaultRuleSet 2.x',
      ]);
    },
  },
  {
    id: 'least-privilege-roles',
    description: 'No Owner, Contributor or access-administration role on a whole subscription',
    kinds: ['RoleAssignment'],
    check(m) {
      const fp = forProvider(m);
      const role = typeof fp.roleDefinitionName === 'string' ? fp.roleDefinitionName : '';
      const scope = typeof fp.scope === 'string' ? fp.scope : '';
      return SUBSCRIPTION_SCOPE.test(scope) && BROAD_ROLES.has(role.toLowerCase()) ? `${role} on subscription ${scope}` : undefined;
    },
  },
  {
    id: 'no-plain-secrets',
    description: 'No password, key, token or connection string in plain values: Secrets, Helm values or objects written to clusters',
    kinds: ['Secret', 'Release', 'Object'],
    check(m) {
      const found: string[] = [];
      for (const { path, key, value } of walk(m, m.kind)) {
        if (typeof value === 'string' && value !== '' && SECRET_KEYS.test(key)) found.push(`${path} holds a value`);
        if (typeof value === 'string' && SECRET_VALUES.test(value)) found.push(`${path} holds a credential`);
      }
      // A Secret's data is base64: decode it and look again.
      if (m.kind === 'Secret') {
        for (const [key, encoded] of Object.entries((m.data ?? {}) as Record<string, string>)) {
          const text = Buffer.from(encoded, 'base64').toString('utf8');
          if (SECRET_VALUES.test(text)) found.push(`Secret.data.${key} holds a credential`);
          try {
            for (const { path, key: inner, value } of walk(JSON.parse(text) as unknown, `Secret.data.${key}`)) {
              if (typeof value === 'string' && value !== '' && SECRET_KEYS.test(inner)) found.push(`${path} holds a value`);
            }
          } catch {
            // Not JSON: only the credential patterns above apply.
          }
        }
      }
      return found.length > 0 ? found.join('; ') : undefined;
    },
  },
];
