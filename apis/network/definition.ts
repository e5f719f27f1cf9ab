import type { Construct } from 'constructs';
import {
  defaults,
  enums,
  KIND,
  limits,
  patterns,
  PRIVATE_ADDRESS_SPACE,
  PRIVATE_LINK_ZONE_KEYS,
  RESERVED_ENVIRONMENT_NAMES,
} from '../../functions/k8tre/network/api.js';
import { networkStatusContract } from '../../functions/k8tre/network/status.js';
import { statusSchema } from '../../functions/k8tre/lib/contract.js';
import { AZURE_REGIONS } from '../../functions/k8tre/network/regions.js';
import { patterns as monitoringIdPatterns } from '../../functions/k8tre/network/monitoring.js';
import { defaults as monitoringDefaults, limits as monitoringLimits, patterns as monitoringPatterns } from '../../functions/k8tre/monitoring/api.js';
import { DEFAULT_ALLOWED_FQDNS, FIREWALL_TIERS, limits as firewallLimits, patterns as firewallPatterns } from '../../functions/k8tre/firewall/api.js';
import { NAT_IDLE_TIMEOUT_MINUTES } from '../../functions/k8tre/network/egress.js';
import { CERTIFICATE_ISSUANCE, certificateDefaults, certificateLimits } from '../../functions/k8tre/network/certificates.js';
import { commonSpecFields, XrdChart } from '../lib/definition.js';
import { array, boolean, celList, cidr, immutable, integer, matching, object, oneOf } from '../lib/schema.js';

export const PLURAL = 'xk8trenetworks';

const grafanaGroups = (description: string) =>
  array(description, matching('A group object ID.', monitoringPatterns.groupObjectId), {
    maxItems: monitoringLimits.grafanaGroups.max,
    'x-kubernetes-list-type': 'set',
  });

const hub = object(
  'The hub VNet: created by this XR, or an existing one referenced by ID.',
  {
    addressSpace: cidr(
      'The hub address space: what this XR creates, or what the existing hub has (used to keep spokes from overlapping it).',
      limits.existingHubPrefix,
    ),
    firewallSubnet: boolean('Create AzureFirewallSubnet (/26) for a hub firewall. Created hub only.'),
    managementSubnet: boolean('Create snet-management (/26) for CI runners and jump hosts that must reach the private API servers. Created hub only.'),
    existing: object(
      'Use an existing hub instead of creating one. Peerings from the hub side are created in its resource group.',
      {
        virtualNetworkId: matching('ID of the existing hub VNet.', patterns.virtualNetworkId, { maxLength: 512 }),
        applicationGatewaySubnetId: matching('ID of the hub subnet the Application Gateway uses.', patterns.subnetId, { maxLength: 512 }),
      },
      {
        required: ['virtualNetworkId', 'applicationGatewaySubnetId'],
        'x-kubernetes-validations': [
          {
            rule: "self.applicationGatewaySubnetId.lowerAscii().startsWith(self.virtualNetworkId.lowerAscii() + '/subnets/')",
            message: 'applicationGatewaySubnetId must be a subnet of virtualNetworkId',
          },
        ],
      },
    ),
  },
  {
    required: ['addressSpace'],
    'x-kubernetes-validations': [
      {
        rule: '!has(self.existing) || (!has(self.firewallSubnet) && !has(self.managementSubnet))',
        message: 'firewallSubnet and managementSubnet apply only to a hub this XR creates',
      },
      {
        rule: `has(self.existing) || int(self.addressSpace.split('/')[1]) <= ${limits.createdHubPrefix.max}`,
        message: `a created hub needs at least a /${limits.createdHubPrefix.max}`,
      },
      // Transition rules: Azure renumbers no subnet in use, and adopting another hub
      // deletes this one with its peerings.
      {
        rule: 'has(self.existing) == has(oldSelf.existing)',
        message: 'a hub cannot switch between created and existing: that deletes one with every peering; create a new network instead',
      },
      {
        rule: 'has(self.existing) || self.addressSpace == oldSelf.addressSpace',
        message: 'a created hub keeps its addressSpace: its subnets are carved from it, and Azure renumbers no subnet in use',
        messageExpression:
          "'a created hub keeps its addressSpace ' + oldSelf.addressSpace + ': its subnets are carved from it, and Azure renumbers no subnet in use'",
      },
      {
        rule: '!has(self.existing) || !has(oldSelf.existing) || self.existing.virtualNetworkId.lowerAscii() == oldSelf.existing.virtualNetworkId.lowerAscii()',
        message: 'an existing hub stays the one the spokes peer with: another needs every peering created again; create a new network on it instead',
        messageExpression:
          "'the spokes peer with ' + oldSelf.existing.virtualNetworkId + ', which stays the hub: another needs every peering created again; create a new network on it instead'",
      },
    ],
  },
);

const environment = object(
  'One K8TRE environment: a spoke VNet, its subnets, DNS zone and gateway listeners.',
  {
    name: matching(
      `Environment name, e.g. dev. Used in DNS names and Azure resource names; ${RESERVED_ENVIRONMENT_NAMES.join(' and ')} are reserved.`,
      patterns.environmentName,
      {
        maxLength: 12,
        'x-kubernetes-validations': [
          {
            rule: `!(self in ${celList(RESERVED_ENVIRONMENT_NAMES)})`,
            message: `${RESERVED_ENVIRONMENT_NAMES.join(' and ')} are reserved: the hub's and the management network's resources are named so`,
          },
        ],
      },
    ),
    addressSpace: cidr('Explicit spoke address space. When absent, one is allocated from spec.addressPool and kept.', limits.spokePrefix),
    apex: boolean('This environment serves the zone apex (karectl.org rather than prd.karectl.org), like prd in the reference.'),
    exposed: boolean(
      'Serve this environment through the public gateway (default true). Turn off for internal-only environments such as the management cluster; its zone and spoke remain.',
    ),
    certificateSecretName: matching(`Key Vault secret holding this environment's TLS certificate (PFX). Default tls-<name>-pfx.`, patterns.secretName, {
      maxLength: 127,
    }),
    management: boolean(
      'This spoke hosts a management cluster (an XK8treCluster with role Management) whose ArgoCD deploys to the other environments: it is peered directly with every other spoke, since peering through the hub is not transitive, and their API server NSGs admit it.',
    ),
  },
  {
    required: ['name'],
    'x-kubernetes-validations': [
      {
        rule: '!has(oldSelf.addressSpace) || (has(self.addressSpace) && self.addressSpace == oldSelf.addressSpace)',
        message: 'an environment keeps its addressSpace: Azure renumbers no subnet that nodes and endpoints use; add a new environment instead',
        messageExpression:
          "'environment ' + oldSelf.name + ' keeps its addressSpace ' + oldSelf.addressSpace + ': Azure renumbers no subnet that nodes and endpoints use; add a new environment instead'",
      },
    ],
  },
);

const privateLinkZone = (purpose: string) =>
  matching(`An existing ${purpose} private-link zone to use instead of creating one.`, patterns.privateDnsZoneId, { maxLength: 512 });

const dns = object(
  'DNS names. Each environment gets <name>.<zone>, or the zone itself when it is the apex.',
  {
    publicZone: matching('The public DNS zone users reach K8TRE under, e.g. karectl.org.', patterns.dnsName),
    internalDomain: matching(
      'The domain of the private zones, when it differs from publicZone (e.g. k8tre.internal). Defaults to publicZone: split-horizon DNS, no rewriting.',
      patterns.dnsName,
    ),
    privateLinkZones: object(
      'A landing zone’s private-link zones, by ID, to use instead of creating them: Azure refuses to link one VNet to two zones of the same name, and a landing zone’s hub already has these. Only the spokes are linked to them, in their resource groups; the rest are created here.',
      Object.fromEntries(PRIVATE_LINK_ZONE_KEYS.map((key) => [key, privateLinkZone(key)])),
    ),
    rewrite: object('Gateway rewrites between public and internal names; used only when internalDomain differs from publicZone.', {
      services: array(
        'Service host names (first DNS label) whose Host and Location headers are rewritten.',
        matching('A DNS label.', patterns.dnsLabel, { maxLength: 63 }),
        {
          maxItems: limits.rewriteServices.max,
          'x-kubernetes-list-type': 'set',
          default: [...defaults.rewriteServices],
        },
      ),
      oauthCallbacks: array(
        'OAuth callbacks whose redirect_uri query parameter is rewritten from the public to the internal host.',
        object(
          'An OAuth callback.',
          { service: matching('A service from services.', patterns.dnsLabel, { maxLength: 63 }), path: matching('Callback path.', patterns.urlPath) },
          { required: ['service', 'path'] },
        ),
        { maxItems: limits.rewriteServices.max, default: defaults.oauthCallbacks.map((c) => ({ ...c })) },
      ),
    }),
  },
  { required: ['publicZone'] },
);

const gateway = object(
  'The shared Application Gateway in the hub: one HTTPS listener set per environment.',
  {
    sku: oneOf('WAF_v2 (default) or Standard_v2.', enums.gatewaySku, { default: defaults.gatewaySku }),
    minCapacity: integer('Autoscale minimum instance count.', limits.gatewayCapacity, { default: defaults.gatewayMinCapacity }),
    maxCapacity: integer('Autoscale maximum instance count.', { min: 2, max: limits.gatewayCapacity.max }, { default: defaults.gatewayMaxCapacity }),
    zones: array('Availability zones for the gateway and its public IP.', oneOf('A zone.', enums.zone), {
      minItems: 1,
      maxItems: 3,
      'x-kubernetes-list-type': 'set',
      default: [...defaults.gatewayZones],
    }),
    waf: object(
      'Web application firewall (WAF_v2): a WAF policy this XR composes, waf-<xr name>, with the Default Rule Set 2.2 and the Bot Manager rules, or an existing one.',
      {
        mode: oneOf('Mode of the composed policy: Prevention blocks; Detection only logs.', enums.wafMode, { default: defaults.wafMode }),
        firewallPolicyId: matching('An existing WAF policy to attach instead of composing one.', patterns.wafPolicyId, {
          maxLength: 512,
        }),
      },
    ),
    certificates: object(
      "Where the environments' TLS certificates live and how they get there (docs/certificates.md). The gateway reads each by its versionless secret ID, so a renewal needs no gateway change, through its own identity, which gets Key Vault Secrets User on this vault.",
      {
        keyVaultId: matching('ID of the Key Vault holding the certificates.', patterns.keyVaultId, { maxLength: 512 }),
        issuance: oneOf(
          'Manual: someone puts each PFX secret there. CertManager: cert-manager on the network’s management cluster issues them with ACME DNS-01 on the public zone and pushes them here; that cluster’s certificate-push identity gets Key Vault Certificates Officer on this vault. KeyVault: each exposed environment gets a Key Vault certificate from keyVault.issuerName, renewed by Key Vault, and is served once it is issued.',
          CERTIFICATE_ISSUANCE,
          { default: certificateDefaults.issuance },
        ),
        keyVault: object(
          'The Key Vault certificates, with issuance KeyVault. The provider’s identity needs Key Vault Certificates Officer on the vault. They are never deleted by Crossplane.',
          {
            issuerName: matching(
              'A certificate issuer registered with the vault (DigiCert, GlobalSign or the organisation’s CA), or Self for a self-signed one (tests only: browsers refuse it).',
              certificateLimits.issuerName,
              { maxLength: 127 },
            ),
            validityInMonths: integer('Validity. Public CAs cap it at 200 days since 2026-03-15, 100 from 2027-03-15.', certificateLimits.validityInMonths, {
              default: certificateDefaults.validityInMonths,
            }),
            renewDaysBeforeExpiry: integer(
              `Days before expiry Key Vault renews; at most ${certificateLimits.renewDaysPerMonth} per month of validity. Default ${certificateDefaults.renewDaysBeforeExpiry}.`,
              certificateLimits.renewDaysBeforeExpiry,
            ),
          },
          {
            required: ['issuerName'],
            'x-kubernetes-validations': [
              {
                rule: `!has(self.renewDaysBeforeExpiry) || self.renewDaysBeforeExpiry <= self.validityInMonths * ${certificateLimits.renewDaysPerMonth}`,
                message: `renewDaysBeforeExpiry is at most ${certificateLimits.renewDaysPerMonth} days per month of validityInMonths`,
              },
            ],
          },
        ),
      },
      {
        required: ['keyVaultId'],
        'x-kubernetes-validations': [
          { rule: "has(self.keyVault) == (has(self.issuance) && self.issuance == 'KeyVault')", message: 'keyVault is set exactly when issuance is KeyVault' },
        ],
      },
    ),
    domainNameLabel: matching('Optional DNS label for the public IP (<label>.<region>.cloudapp.azure.com).', patterns.dnsLabel, { maxLength: 63 }),
  },
  {
    required: ['certificates'],
    'x-kubernetes-validations': [
      { rule: 'self.maxCapacity >= self.minCapacity', message: 'maxCapacity must be at least minCapacity' },
      {
        rule: `size(self.zones) < 2 || self.minCapacity >= ${defaults.zonalGatewayMinCapacity}`,
        message: `a gateway across zones needs minCapacity ${defaults.zonalGatewayMinCapacity} or more for zone redundancy`,
      },
      { rule: "!has(self.waf) || !has(self.waf.firewallPolicyId) || self.sku == 'WAF_v2'", message: 'a WAF policy needs sku WAF_v2' },
    ],
  },
);

/**
 * CEL: the CIDR string `cidr` lies in one of PRIVATE_ADDRESS_SPACE's blocks: the octets the block
 * fixes are equal, the one it splits is in its range, and the prefix is at least the block's.
 */
function privateCidr(cidr: string): string {
  const octet = (i: number) => `int(${cidr}.split('/')[0].split('.')[${i}])`;
  const prefix = `int(${cidr}.split('/')[1])`;
  const inBlock = (block: string) => {
    const [address, bitsText] = block.split('/') as [string, string];
    const bits = Number(bitsText);
    const octets = address.split('.').map(Number);
    const whole = Math.floor(bits / 8);
    const tests = octets.slice(0, whole).map((value, i) => `${octet(i)} == ${value}`);
    if (bits % 8 !== 0) {
      const size = 2 ** (8 - (bits % 8));
      tests.push(`${octet(whole)} >= ${octets[whole]!}`, `${octet(whole)} < ${octets[whole]! + size}`);
    }
    return `(${[...tests, `${prefix} >= ${bits}`].join(' && ')})`;
  };
  return `(${PRIVATE_ADDRESS_SPACE.map(inBlock).join(' || ')})`;
}

const spec = object(
  'The network services stack for K8TRE: hub, one spoke per environment, private DNS and the shared Application Gateway.',
  {
    region: immutable(
      oneOf('Azure public-cloud region, e.g. uksouth. Fixed once created.', AZURE_REGIONS),
      'region cannot change: Azure moves nothing between regions; create a network in the new region',
    ),
    resourceGroupName: immutable(
      matching('Resource group for everything this XR creates. Default rg-<xr name>-network. Fixed once created.', patterns.resourceGroupName, {
        maxLength: 90,
      }),
      'resourceGroupName cannot change: a new name is a new group, and everything in the old one would have to be created again there',
    ),
    ...commonSpecFields,
    hub,
    addressPool: object(
      'Pool that spokes without an explicit addressSpace are carved from. Allocations are kept in status and never move.',
      {
        cidr: cidr('The pool.', limits.poolPrefix),
        spokePrefixLength: integer('Prefix length of each allocated spoke.', limits.spokePrefix, { default: defaults.spokePrefixLength }),
      },
      {
        required: ['cidr'],
        'x-kubernetes-validations': [
          { rule: "self.spokePrefixLength >= int(self.cidr.split('/')[1])", message: 'spokePrefixLength must not be larger than the pool' },
        ],
      },
    ),
    environments: array('The K8TRE environments, e.g. dev, stg and prd.', environment, {
      minItems: limits.environments.min,
      maxItems: limits.environments.max,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-validations': [
        { rule: 'self.filter(e, has(e.apex) && e.apex).size() <= 1', message: 'at most one environment can be the apex' },
        {
          rule: `self.filter(e, has(e.management) && e.management).size() <= ${limits.managementEnvironments.max}`,
          message: `at most ${limits.managementEnvironments.max} environment may host a management cluster`,
        },
      ],
    }),
    dns,
    gateway,
    management: object(
      'The VNet Crossplane (with provider-helm and provider-kubernetes) and ArgoCD run in, when it is not the hub: every spoke is peered with it both ways, the private-link zones are linked to it, and the spokes’ API server and endpoint NSGs admit it. Peering is not transitive, so a network peered only with the hub cannot reach the clusters.',
      {
        virtualNetworkId: matching('ID of that VNet. Its side of each peering is created in its resource group.', patterns.virtualNetworkId, {
          maxLength: 512,
        }),
        addressSpace: cidr('Its address space (kept clear of the spokes).', limits.existingHubPrefix),
        linkPrivateDnsZones: boolean(
          'Link the private-link zones this XR creates to it (default true), so that it resolves the private API servers and the data stores’ endpoints. Turn off when it already links zones of those names: Azure allows one per name.',
          { default: true },
        ),
      },
      { required: ['virtualNetworkId', 'addressSpace'] },
    ),
    allowPublicAddressSpace: boolean(
      `Allow hub, pool, spoke and management ranges outside private address space (${PRIVATE_ADDRESS_SPACE.join(', ')}): only for public addresses you own, since traffic to them then stays inside Azure.`,
    ),
    egress: object(
      'Where spoke nodes’ outbound traffic leaves, instead of each cluster’s public load balancer: exactly one of firewall, nextHopIp and natGateway. Each cluster is told its outbound type once its spoke’s path is in place.',
      {
        firewall: object(
          'An Azure Firewall this network composes in its created hub’s AzureFirewallSubnet, with a policy admitting what AKS needs and what K8TRE pulls, and a 0.0.0.0/0 route to it on every node subnet (clusters use userDefinedRouting). Once composed, it cannot be removed or change tier.',
          {
            tier: oneOf('Basic (up to 250 Mbps; adds AzureFirewallManagementSubnet and a management IP) or Standard.', FIREWALL_TIERS, { default: 'Standard' }),
            allowedFqdns: array(
              `Host names K8TRE pulls from over HTTPS (container registries, Helm and git repositories); unset, ${DEFAULT_ALLOWED_FQDNS.length} public registries and GitHub. What AKS and its add-ons need is always allowed.`,
              matching('A host name, optionally starting with *.', firewallPatterns.fqdn, { maxLength: firewallPatterns.fqdn.maxLength }),
              { minItems: firewallLimits.allowedFqdns.min, maxItems: firewallLimits.allowedFqdns.max, 'x-kubernetes-list-type': 'set' },
            ),
          },
        ),
        nextHopIp: matching(
          'Private IP of a firewall or appliance of the organisation’s: a 0.0.0.0/0 route to it on every node subnet (clusters use userDefinedRouting).',
          patterns.ipv4,
          { maxLength: 15 },
        ),
        natGateway: object('A NAT gateway per spoke on its node subnet (clusters use userAssignedNATGateway), for teams without a firewall.', {
          idleTimeoutInMinutes: integer('TCP idle timeout.', NAT_IDLE_TIMEOUT_MINUTES, { default: NAT_IDLE_TIMEOUT_MINUTES.min }),
        }),
      },
      {
        'x-kubernetes-validations': [
          {
            rule: '[has(self.firewall), has(self.nextHopIp), has(self.natGateway)].filter(x, x).size() == 1',
            message: 'set exactly one of firewall, nextHopIp and natGateway',
          },
        ],
      },
    ),
    monitoring: object(
      'Platform monitoring, shared by the network’s clusters: a Log Analytics workspace, an Azure Monitor workspace for managed Prometheus, an action group, and the gateways’ diagnostics and unhealthy-backend alerts. On by default; once on, it cannot be turned off (the workspace holds the audit logs).',
      {
        enabled: boolean('Compose the monitoring. Default true.', { default: true }),
        logAnalyticsWorkspaceId: matching('Use this Log Analytics workspace instead of composing one.', monitoringIdPatterns.logAnalyticsWorkspaceId, {
          maxLength: 512,
        }),
        monitorWorkspaceId: matching(
          'Use this Azure Monitor workspace, in the network’s region, instead of composing one.',
          monitoringIdPatterns.monitorWorkspaceId,
          { maxLength: 512 },
        ),
        retentionInDays: integer('Days the composed workspace keeps logs.', monitoringLimits.retentionDays, { default: monitoringDefaults.retentionInDays }),
        dailyQuotaGb: integer('Daily ingestion cap of the composed workspace, in GB; unset, none.', monitoringLimits.dailyQuotaGb),
        alerts: object('Who the alerts reach (the action group’s receivers).', {
          emails: array('Email addresses.', matching('An address.', monitoringPatterns.email), {
            maxItems: monitoringLimits.emailReceivers.max,
            'x-kubernetes-list-type': 'set',
          }),
          webhooks: array('Webhook URLs (https), called with the common alert schema.', matching('A URL.', monitoringPatterns.webhook), {
            maxItems: monitoringLimits.webhookReceivers.max,
            'x-kubernetes-list-type': 'set',
          }),
        }),
        grafana: object(
          'Managed Grafana on the Azure Monitor workspace, off by default: Entra ID sign-in only, its identity reading the workspaces, these groups as its admins and viewers.',
          {
            enabled: boolean('Compose it. Default false.', { default: false }),
            adminGroupObjectIds: grafanaGroups('Entra groups given Grafana Admin.'),
            viewerGroupObjectIds: grafanaGroups('Entra groups given Grafana Viewer.'),
          },
        ),
      },
      { default: {} },
    ),
  },
  {
    required: ['region', 'hub', 'environments', 'dns', 'gateway'],
    'x-kubernetes-validations': [
      {
        rule: '!has(self.egress) || !has(self.egress.firewall) || !has(self.hub.existing)',
        message: 'egress.firewall needs a hub this XR creates; with an existing hub, give its firewall’s IP as egress.nextHopIp',
      },
      {
        rule: 'has(self.addressPool) || self.environments.all(e, has(e.addressSpace))',
        message: 'addressPool is required unless every environment has an addressSpace',
      },
      {
        rule:
          `(has(self.allowPublicAddressSpace) && self.allowPublicAddressSpace) || (${privateCidr('self.hub.addressSpace')}` +
          ` && (!has(self.addressPool) || ${privateCidr('self.addressPool.cidr')})` +
          ` && (!has(self.management) || ${privateCidr('self.management.addressSpace')})` +
          ` && self.environments.all(e, !has(e.addressSpace) || ${privateCidr('e.addressSpace')}))`,
        message: `address ranges must be in private address space (${PRIVATE_ADDRESS_SPACE.join(', ')}) unless allowPublicAddressSpace is set`,
      },
    ],
  },
);

export class NetworkDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: KIND,
      plural: PLURAL,
      spec,
      status: statusSchema(networkStatusContract),
      printerColumns: [
        { name: 'Region', jsonPath: '.spec.region' },
        { name: 'Public IP', jsonPath: '.status.gateway.publicIpAddress' },
      ],
    });
  }
}
