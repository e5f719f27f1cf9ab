import { MonitorDiagnosticSetting } from '../../../imports/insights.azure.m.upbound.io.js';
import { Firewall, FirewallPolicy, FirewallPolicyRuleCollectionGroup, PublicIp, Subnet } from '../../../imports/network.azure.m.upbound.io.js';
import { hubSubnetName } from '../network/naming.js';
import { childStamp } from '../lib/child-fields.js';
import * as contract from '../lib/contract.js';
import type { ComposeInput, Composition, DesiredResources, XrCondition } from '../lib/composition.js';
import { gatedCondition, gates, type Outcome, type Wait } from '../lib/waits.js';
import { LABEL_NETWORK } from '../lib/labels.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { ownSpec } from '../lib/own-spec.js';
import { meta, refTo, type Stamp } from '../lib/stamp.js';
import { AKS_ADD_ON_FQDNS, AKS_REQUIRED_FQDNS, FIREWALL_LOGS, RULE_GROUPS, THREAT_INTELLIGENCE_MODE } from './api.js';
import { firewallSpecContract, type FirewallSpec, type FirewallStatus } from './contract.js';
import { definedFields } from '../lib/records.js';

// A network's hub firewall (spec.egress.firewall): Azure Firewall in the hub's
// AzureFirewallSubnet, managed by a firewall policy whose rule collection groups admit what AKS
// needs and what K8TRE pulls, and nothing else from the spokes. It reports its private IP only once
// the firewall, its policy and every group exist, so no spoke routes through it before it can pass
// what a new node needs to boot.

export const keys = {
  subnet: 'subnet',
  managementSubnet: 'management-subnet',
  publicIp: 'public-ip',
  managementPublicIp: 'management-public-ip',
  policy: 'policy',
  ruleGroup: (group: keyof typeof RULE_GROUPS) => `rules-${group}`,
  firewall: 'firewall',
  diagnostics: 'diagnostics',
} as const;

const HTTPS = [{ type: 'Https', port: 443 }];

export function composeFirewallXr({ xr, observed }: ComposeInput): Composition {
  const spec = contract.read(firewallSpecContract, ownSpec(xr), 'spec');
  const stamp = childStamp(xr, spec, { [LABEL_NETWORK]: spec.network });
  const desired: DesiredResources = new Map();
  const { waits } = composeFirewall(spec, stamp, observed, desired);
  const status = firewallStatus(observed);
  // Always sent: Crossplane keeps a condition the function stops sending (monitoring/compose-monitoring.ts).
  const conditions: XrCondition[] = [gatedCondition('Composed', waits)];
  return { resources: desired, status, conditions };
}

/** The firewall's private IP, once everything a spoke's traffic passes through exists. */
export function firewallStatus(observed: Observed): FirewallStatus {
  const firewallId = observed.atProvider(keys.firewall, 'id');
  const privateIpAddress = observed.atProviderPath(keys.firewall, 'ipConfiguration', 0, 'privateIpAddress');
  const rulesExist = (Object.keys(RULE_GROUPS) as (keyof typeof RULE_GROUPS)[]).every((group) => observed.atProvider(keys.ruleGroup(group), 'id'));
  return definedFields({ firewallId: firewallId || undefined, privateIpAddress: firewallId && rulesExist ? privateIpAddress || undefined : undefined });
}

/** What an XK8treFirewall waits for (lib/waits.ts; test/function/gates.test.ts shuts each). */
export const firewallGates = gates('firewall', 'Composed', {
  policyIds: (basic: boolean) => `the firewall policy${basic ? ' and the management public IP' : ''} to report their IDs, before the firewall`,
});

function composeFirewall(spec: FirewallSpec, stamp: Stamp, observed: Observed, desired: DesiredResources): Outcome {
  const { providerConfigRef } = spec;
  const placed = { location: spec.region, resourceGroupName: spec.resourceGroupName, tags: { ...spec.tags } };
  const waits: Wait[] = [];
  const basic = spec.tier === 'Basic';

  // Both subnets keep Azure's default outbound access, which the firewall needs; /26 each
  // (https://learn.microsoft.com/azure/firewall/firewall-faq#why-does-azure-firewall-need-a--26-subnet-size).
  const subnet = (key: string, azureName: string, cidr: string) =>
    desired.set(
      key,
      render(Subnet, {
        metadata: meta(stamp, key, { azureName }),
        spec: { providerConfigRef, forProvider: { addressPrefixes: [cidr], ...spec.hub } },
      }),
    );
  if (!spec.subnets.firewall.existingId) subnet(keys.subnet, hubSubnetName.firewall, spec.subnets.firewall.cidr);
  if (basic && spec.subnets.management) subnet(keys.managementSubnet, hubSubnetName.firewallManagement, spec.subnets.management.cidr);

  const publicIp = (key: string, azureName: string) =>
    desired.set(
      key,
      render(PublicIp, {
        metadata: meta(stamp, key, { azureName }),
        spec: { providerConfigRef, forProvider: { allocationMethod: 'Static', sku: 'Standard', skuTier: 'Regional', zones: [...spec.zones], ...placed } },
      }),
    );
  publicIp(keys.publicIp, spec.names.publicIp);
  // Basic keeps its management traffic on a second IP in AzureFirewallManagementSubnet
  // (https://learn.microsoft.com/azure/firewall/deploy-firewall-basic-portal-policy).
  if (basic) publicIp(keys.managementPublicIp, spec.names.managementPublicIp);

  desired.set(
    keys.policy,
    render(FirewallPolicy, {
      metadata: meta(stamp, keys.policy, { azureName: spec.names.policy }),
      spec: { providerConfigRef, forProvider: { sku: spec.tier, threatIntelligenceMode: THREAT_INTELLIGENCE_MODE[basic ? 'Basic' : 'Standard'], ...placed } },
    }),
  );
  const sources = [...spec.sourceAddresses];
  const ruleGroup = (group: keyof typeof RULE_GROUPS, collections: Record<string, unknown>) =>
    desired.set(
      keys.ruleGroup(group),
      render(FirewallPolicyRuleCollectionGroup, {
        metadata: meta(stamp, keys.ruleGroup(group), { azureName: RULE_GROUPS[group].name }),
        spec: { providerConfigRef, forProvider: { firewallPolicyIdRef: refTo(stamp, keys.policy), priority: RULE_GROUPS[group].priority, ...collections } },
      }),
    );
  // https://learn.microsoft.com/azure/aks/outbound-rules-control-egress#azure-global-required-network-rules
  ruleGroup('aks', {
    networkRuleCollection: [
      {
        name: 'aks-network',
        priority: 100,
        action: 'Allow',
        rule: [
          {
            name: 'apiserver-tunnel-udp',
            protocols: ['UDP'],
            sourceAddresses: sources,
            destinationAddresses: [`AzureCloud.${spec.region}`],
            destinationPorts: ['1194'],
          },
          {
            name: 'apiserver-tunnel-tcp',
            protocols: ['TCP'],
            sourceAddresses: sources,
            destinationAddresses: [`AzureCloud.${spec.region}`],
            destinationPorts: ['9000'],
          },
          { name: 'ntp', protocols: ['UDP'], sourceAddresses: sources, destinationAddresses: ['*'], destinationPorts: ['123'] },
        ],
      },
    ],
    applicationRuleCollection: [
      {
        name: 'aks-fqdns',
        priority: 200,
        action: 'Allow',
        rule: [
          {
            name: 'aks-fqdn-tag',
            protocols: [{ type: 'Http', port: 80 }, ...HTTPS],
            sourceAddresses: sources,
            destinationFqdnTags: ['AzureKubernetesService'],
          },
          { name: 'aks-required', protocols: HTTPS, sourceAddresses: sources, destinationFqdns: [...AKS_REQUIRED_FQDNS] },
          { name: 'aks-add-ons', protocols: HTTPS, sourceAddresses: sources, destinationFqdns: [...AKS_ADD_ON_FQDNS] },
        ],
      },
    ],
  });
  ruleGroup('k8tre', {
    applicationRuleCollection: [
      {
        name: 'k8tre-pulls',
        priority: 100,
        action: 'Allow',
        rule: [{ name: 'registries-and-repositories', protocols: HTTPS, sourceAddresses: sources, destinationFqdns: [...spec.allowedFqdns] }],
      },
    ],
  });

  // The firewall names its policy and Basic's management IP by ID only (the CRD has no reference for them).
  const policyId = observed.atProvider(keys.policy, 'id');
  const managementIpId = basic ? observed.atProvider(keys.managementPublicIp, 'id') : undefined;
  if (!policyId || (basic && !managementIpId)) {
    waits.push(firewallGates.policyIds(basic));
  } else {
    desired.set(
      keys.firewall,
      render(Firewall, {
        metadata: meta(stamp, keys.firewall, { azureName: spec.names.firewall }),
        spec: {
          providerConfigRef,
          forProvider: {
            skuName: 'AZFW_VNet',
            skuTier: spec.tier,
            firewallPolicyId: policyId,
            zones: [...spec.zones],
            ipConfiguration: [
              {
                name: 'ipconfig',
                ...(spec.subnets.firewall.existingId ? { subnetId: spec.subnets.firewall.existingId } : { subnetIdRef: refTo(stamp, keys.subnet) }),
                publicIpAddressIdRef: refTo(stamp, keys.publicIp),
              },
            ],
            ...(basic && {
              managementIpConfiguration: { name: 'management', subnetIdRef: refTo(stamp, keys.managementSubnet), publicIpAddressId: managementIpId },
            }),
            ...placed,
          },
        },
      }),
    );
  }

  const firewallId = observed.atProvider(keys.firewall, 'id');
  if (spec.logAnalyticsWorkspaceId && firewallId) {
    desired.set(
      keys.diagnostics,
      render(MonitorDiagnosticSetting, {
        metadata: meta(stamp, keys.diagnostics),
        spec: {
          providerConfigRef,
          forProvider: {
            name: 'k8tre-diagnostics',
            targetResourceId: firewallId,
            logAnalyticsWorkspaceId: spec.logAnalyticsWorkspaceId,
            logAnalyticsDestinationType: 'Dedicated',
            enabledLog: FIREWALL_LOGS.map((category) => ({ category })),
          },
        },
      }),
    );
  }
  return { waits };
}
