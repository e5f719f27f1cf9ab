import { parseArmId } from '../lib/arm-id.js';
import { environmentDomains, isSplitHorizon, type EnvironmentDomains } from './domains.js';
import { contains, formatCidr, parseCidr, type Cidr } from '../lib/cidr.js';
import { FieldError } from '../lib/field-error.js';
import { SpecReader, missing, optional, quote, stringItem } from '../lib/spec-reader.js';
import { readXrBasics } from '../lib/xr-basics.js';
import { parseMonitoring, type NetworkMonitoring } from './monitoring.js';
import { parseEgress, type EgressSpec } from './egress.js';
import { parseCertificates, type CertificatesSpec } from './certificates.js';
import {
  defaults,
  enums,
  limits,
  patterns,
  PRIVATE_ADDRESS_SPACE,
  PRIVATE_LINK_ZONE_KEYS,
  PRIVATE_LINK_ZONES,
  RESERVED_ENVIRONMENT_NAMES,
  type PrivateLinkZone,
} from './api.js';

// The typed form of an XK8treNetwork's spec, with every default applied.

export interface NetworkSpec {
  readonly name: string;
  readonly namespace: string;
  readonly region: string;
  readonly resourceGroupName: string;
  readonly providerConfigRef: { kind: (typeof enums.providerConfigKind)[number]; name: string };
  readonly tags: Readonly<Record<string, string>>;
  readonly hub: HubSpec;
  readonly addressPool?: { readonly cidr: Cidr; readonly spokePrefixLength: number };
  readonly environments: readonly EnvironmentSpec[];
  /** The environment that hosts the management cluster (at most one may), which every other spoke peers with. */
  readonly managementEnvironment?: string;
  readonly dns: DnsSpec;
  readonly gateway: GatewaySpec;
  /** Where spoke nodes' traffic leaves (network/egress.ts); absent, through each cluster's load balancer. */
  readonly egress?: EgressSpec;
  /** The XR says it owns the public ranges it uses. */
  readonly allowPublicAddressSpace: boolean;
  /** Where Crossplane's providers and ArgoCD run, when that is not the hub. */
  readonly management?: ManagementNetworkSpec;
  /** Platform monitoring (network/monitoring.ts); absent when turned off. */
  readonly monitoring?: NetworkMonitoring;
}

export interface ManagementNetworkSpec {
  readonly virtualNetworkId: string;
  readonly addressSpace: Cidr;
  readonly linkPrivateDnsZones: boolean;
}

export type HubSpec =
  | { readonly mode: 'create'; readonly addressSpace: Cidr; readonly firewallSubnet: boolean; readonly managementSubnet: boolean }
  | {
      readonly mode: 'existing';
      readonly addressSpace: Cidr;
      readonly virtualNetworkId: string;
      readonly applicationGatewaySubnetId: string;
    };

export interface EnvironmentSpec {
  readonly name: string;
  /** Where the environment sits in spec.environments, for error messages. */
  readonly field: string;
  readonly addressSpace?: Cidr;
  readonly apex: boolean;
  /** Served through the public gateway. Off for internal-only environments such as management. */
  readonly exposed: boolean;
  readonly certificateSecretName: string;
  /** Hosts a management cluster that reaches every other environment's API server. */
  readonly management: boolean;
  /** Its public and internal domains (domains.ts). */
  readonly domains: EnvironmentDomains;
}

export interface DnsSpec {
  readonly publicZone: string;
  readonly internalDomain: string;
  readonly rewriteServices: readonly string[];
  readonly oauthCallbacks: readonly { readonly service: string; readonly path: string }[];
  /** Existing private-link zones (a landing zone's) to use instead of creating them, by purpose. */
  readonly privateLinkZones: Partial<Readonly<Record<PrivateLinkZone, string>>>;
}

export interface GatewaySpec {
  readonly sku: (typeof enums.gatewaySku)[number];
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly zones: readonly string[];
  readonly wafMode: (typeof enums.wafMode)[number];
  readonly firewallPolicyId?: string;
  /** Where the environments' certificates live and how they get there (network/certificates.ts). */
  readonly certificates: CertificatesSpec;
  readonly domainNameLabel?: string;
}

export function parseNetworkSpec(metadata: { name?: unknown; namespace?: unknown }, rawSpec: unknown): NetworkSpec {
  const { name, namespace, spec, providerConfigRef, tags } = readXrBasics(metadata, rawSpec, limits.xrName);
  const environments = parseEnvironments(spec);
  const addressPool = spec.object('addressPool');
  // Whether Azure has the region is checked in compose-network.ts, against what is in force.
  const region = spec.requiredString('region', patterns.region);
  const management = spec.object('management');

  const hub = parseHub(spec.requiredObject('hub'));
  const resourceGroupName = spec.string('resourceGroupName', patterns.resourceGroupName) ?? `rg-${name}-network`;
  const pool = addressPool && parseAddressPool(addressPool);
  const dns = parseDns(spec.requiredObject('dns'), region);
  const gateway = parseGateway(spec.requiredObject('gateway'));
  const egress = parseEgress(spec, hub.mode);
  const managementNetwork = management && parseManagementNetwork(management);
  const allowPublicAddressSpace = spec.boolean('allowPublicAddressSpace', false);
  const monitoring = parseMonitoring(spec);
  const managementEnvironment = environments.find((e) => e.management)?.name;
  // One literal, no spread first: see withDomains.
  const result: NetworkSpec = {
    name,
    namespace,
    region,
    resourceGroupName,
    providerConfigRef,
    tags,
    hub,
    ...(pool && { addressPool: pool }),
    environments: environments.map((env) => withDomains(env, environmentDomains(dns, env))),
    dns,
    gateway,
    ...egress,
    ...(managementNetwork && { management: managementNetwork }),
    allowPublicAddressSpace,
    ...monitoring,
    ...(managementEnvironment && { managementEnvironment }),
  };
  if (!result.allowPublicAddressSpace) checkPrivateAddressSpace(result);
  checkZoneNames(result);
  return result;
}

/** An environment's zone must not be one of the private-link zones the network composes beside it. */
function checkZoneNames(spec: NetworkSpec): void {
  const reserved = new Map(PRIVATE_LINK_ZONE_KEYS.map((key) => [PRIVATE_LINK_ZONES[key](spec.region), key]));
  for (const env of spec.environments) {
    const zone = env.domains.internal;
    const purpose = reserved.get(zone);
    const field = isSplitHorizon(spec) ? 'spec.dns.publicZone' : 'spec.dns.internalDomain';
    if (purpose) throw new FieldError(field, `makes ${zone} the zone of environment ${env.name}, which is the ${purpose} private-link zone`);
    const shadowed = MICROSOFT_DOMAINS.find((domain) => zone === domain || zone.endsWith(`.${domain}`));
    if (shadowed) {
      throw new FieldError(
        field,
        `makes ${zone} the zone of environment ${env.name}; linked to the hub and spokes, it would answer for ${shadowed} names, which AKS, Entra ID, Key Vault and storage resolve publicly or through their private-link zones`,
      );
    }
  }
}

/**
 * Domains Azure's services and AKS's required endpoints live under
 * (https://learn.microsoft.com/azure/aks/outbound-rules-control-egress,
 * https://learn.microsoft.com/azure/private-link/private-endpoint-dns). A private zone at or under
 * one of them, linked to the VNets, would take over its names there. (Each is a registered domain,
 * and zone names have two labels at least, so none can be above one.)
 */
const MICROSOFT_DOMAINS = [
  'azure.com',
  'azure.net',
  'azure-api.net',
  'azmk8s.io',
  'azurecr.io',
  'azureedge.net',
  'azurefd.net',
  'cloudapp.net',
  'microsoft.com',
  'microsoftonline.com',
  'microsoftonline-p.com',
  'msauth.net',
  'msftauth.net',
  'trafficmanager.net',
  'windows.net',
  'windowsazure.com',
];

function checkPrivateAddressSpace(spec: NetworkSpec): void {
  const ranges: [string, Cidr | undefined][] = [
    ['spec.hub.addressSpace', spec.hub.addressSpace],
    ['spec.addressPool.cidr', spec.addressPool?.cidr],
    ['spec.management.addressSpace', spec.management?.addressSpace],
    ...spec.environments.map((env): [string, Cidr | undefined] => [`${env.field}.addressSpace`, env.addressSpace]),
  ];
  const privateSpace = PRIVATE_ADDRESS_SPACE.map(parseCidr);
  for (const [field, cidr] of ranges) {
    if (cidr && !privateSpace.some((block) => contains(block, cidr))) {
      throw new FieldError(
        field,
        `${formatCidr(cidr)} is outside private address space (${PRIVATE_ADDRESS_SPACE.join(', ')}); set spec.allowPublicAddressSpace: true if you own it`,
      );
    }
  }
}

function parseManagementNetwork(management: SpecReader): ManagementNetworkSpec {
  return {
    virtualNetworkId: management.requiredString('virtualNetworkId', patterns.virtualNetworkId),
    addressSpace: management.cidr('addressSpace', limits.existingHubPrefix) ?? missing(management.field('addressSpace')),
    linkPrivateDnsZones: management.boolean('linkPrivateDnsZones', true),
  };
}

function parseAddressPool(pool: SpecReader): { cidr: Cidr; spokePrefixLength: number } {
  const cidr = pool.cidr('cidr', limits.poolPrefix) ?? missing(pool.field('cidr'));
  const spokePrefixLength = pool.integer('spokePrefixLength', limits.spokePrefix, defaults.spokePrefixLength);
  if (spokePrefixLength < cidr.prefixLength) {
    throw new FieldError(pool.field('spokePrefixLength'), `/${spokePrefixLength} is larger than the pool itself (/${cidr.prefixLength})`);
  }
  return { cidr, spokePrefixLength };
}

function parseHub(hub: SpecReader): HubSpec {
  const existing = hub.object('existing');
  if (!existing) {
    return {
      mode: 'create',
      addressSpace: hub.cidr('addressSpace', limits.createdHubPrefix) ?? missing(hub.field('addressSpace')),
      firewallSubnet: hub.boolean('firewallSubnet', false),
      managementSubnet: hub.boolean('managementSubnet', false),
    };
  }
  for (const createOnly of ['firewallSubnet', 'managementSubnet']) {
    if (hub.has(createOnly)) throw new FieldError(hub.field(createOnly), 'applies only to a hub this XR creates; remove it or remove spec.hub.existing');
  }
  const virtualNetworkId = existing.requiredString('virtualNetworkId', patterns.virtualNetworkId);
  const applicationGatewaySubnetId = existing.requiredString('applicationGatewaySubnetId', patterns.subnetId);
  if (!applicationGatewaySubnetId.toLowerCase().startsWith(`${virtualNetworkId.toLowerCase()}/subnets/`)) {
    throw new FieldError(existing.field('applicationGatewaySubnetId'), `must be a subnet of ${virtualNetworkId}`);
  }
  return {
    mode: 'existing',
    addressSpace: hub.cidr('addressSpace', limits.existingHubPrefix) ?? missing(hub.field('addressSpace')),
    virtualNetworkId,
    applicationGatewaySubnetId,
  };
}

/**
 * An environment with its domains (each worked out once, for everything that names them), written
 * field by field. Not `{ ...env, domains }`: V8 (Node 20) gives each object made by a literal
 * that starts with a spread a map of its own once that spread has seen more than four shapes, and
 * every later read of a field of such objects then misses V8's inline caches. Warmed on every
 * kind of request, reads of environments' fields were the function's most missed.
 */
function withDomains(env: Omit<EnvironmentSpec, 'domains'>, domains: EnvironmentDomains): EnvironmentSpec {
  return {
    name: env.name,
    field: env.field,
    ...optional('addressSpace', env.addressSpace),
    apex: env.apex,
    exposed: env.exposed,
    certificateSecretName: env.certificateSecretName,
    management: env.management,
    domains,
  };
}

function parseEnvironments(spec: SpecReader): Omit<EnvironmentSpec, 'domains'>[] {
  const environments =
    spec.list('environments', limits.environments, (value, path) => {
      const env = SpecReader.root(value, path);
      const name = env.requiredString('name', patterns.environmentName);
      return {
        name,
        field: path,
        ...optional('addressSpace', env.cidr('addressSpace', limits.spokePrefix)),
        apex: env.boolean('apex', false),
        exposed: env.boolean('exposed', true),
        certificateSecretName: env.string('certificateSecretName', patterns.secretName) ?? defaults.certificateSecretName(name),
        management: env.boolean('management', false),
      };
    }) ?? missing(spec.field('environments'));

  const seen = new Map<string, string>();
  for (const env of environments) {
    if ((RESERVED_ENVIRONMENT_NAMES as readonly string[]).includes(env.name)) {
      throw new FieldError(`${env.field}.name`, `${quote(env.name)} is reserved: the hub's and the management network's resources are named so`);
    }
    const first = seen.get(env.name);
    if (first) throw new FieldError(`${env.field}.name`, `${quote(env.name)} is already used by ${first}`);
    seen.set(env.name, env.field);
  }
  const managers = environments.filter((e) => e.management);
  if (managers.length > limits.managementEnvironments.max) {
    throw new FieldError(
      `${managers[limits.managementEnvironments.max]?.field}.management`,
      `at most ${limits.managementEnvironments.max} environment may host a management cluster; ${managers[0]?.field} already does (each is peered with every other spoke)`,
    );
  }
  const apexes = environments.filter((e) => e.apex);
  if (apexes.length > 1) {
    throw new FieldError(`${apexes[1]?.field}.apex`, `only one environment can own the zone apex; ${apexes[0]?.field} already does`);
  }
  if (!spec.has('addressPool')) {
    const unplaced = environments.find((e) => !e.addressSpace);
    if (unplaced) throw new FieldError('spec.addressPool', `is required because ${unplaced.field} (${unplaced.name}) has no addressSpace`);
  }
  return environments;
}

function parseDns(dns: SpecReader, region: string): DnsSpec {
  const publicZone = dns.requiredString('publicZone', patterns.dnsName);
  const rewrite = dns.object('rewrite');
  const rewriteServices = rewrite?.list('services', limits.rewriteServices, stringItem(patterns.dnsLabel)) ?? [...defaults.rewriteServices];
  const duplicate = rewriteServices.find((s, i) => rewriteServices.indexOf(s) !== i);
  if (duplicate) throw new FieldError('spec.dns.rewrite.services', `lists ${quote(duplicate)} twice`);

  const oauthCallbacks =
    rewrite?.list('oauthCallbacks', { min: 0, max: limits.rewriteServices.max }, (value, path) => {
      const callback = SpecReader.root(value, path);
      const service = callback.requiredString('service', patterns.dnsLabel);
      if (!rewriteServices.includes(service)) {
        throw new FieldError(callback.field('service'), `${quote(service)} is not in spec.dns.rewrite.services`);
      }
      return { service, path: callback.requiredString('path', patterns.urlPath) };
    }) ?? defaults.oauthCallbacks.filter((c) => rewriteServices.includes(c.service));

  return {
    publicZone,
    internalDomain: dns.string('internalDomain', patterns.dnsName) ?? publicZone,
    rewriteServices,
    oauthCallbacks,
    privateLinkZones: parsePrivateLinkZones(dns.object('privateLinkZones'), region),
  };
}

/** Each given zone must be the one its purpose resolves through, or AKS and private endpoints would register elsewhere. */
function parsePrivateLinkZones(zones: SpecReader | undefined, region: string): DnsSpec['privateLinkZones'] {
  const result: Partial<Record<PrivateLinkZone, string>> = {};
  for (const purpose of PRIVATE_LINK_ZONE_KEYS) {
    const id = zones?.string(purpose, patterns.privateDnsZoneId);
    if (id === undefined) continue;
    const name = parseArmId(id).name.toLowerCase();
    const expected = PRIVATE_LINK_ZONES[purpose](region);
    // AKS also accepts a subzone of its private-link zone (https://learn.microsoft.com/azure/aks/private-clusters).
    const fits = name === expected || (purpose === 'aks' && name.endsWith(`.${expected}`));
    if (!fits) throw new FieldError(`spec.dns.privateLinkZones.${purpose}`, `is zone ${quote(name)}; ${purpose} resolves through ${expected}`);
    result[purpose] = id;
  }
  return result;
}

function parseGateway(gateway: SpecReader): GatewaySpec {
  const sku = gateway.oneOf('sku', enums.gatewaySku, defaults.gatewaySku);
  const minCapacity = gateway.integer('minCapacity', limits.gatewayCapacity, defaults.gatewayMinCapacity);
  const maxCapacity = gateway.integer('maxCapacity', { min: 2, max: limits.gatewayCapacity.max }, defaults.gatewayMaxCapacity);
  if (maxCapacity < minCapacity) {
    throw new FieldError(gateway.field('maxCapacity'), `${maxCapacity} is below spec.gateway.minCapacity (${minCapacity})`);
  }
  const zones = gateway.list('zones', { min: 1, max: 3 }, (value, path) => {
    if (typeof value !== 'string' || !(enums.zone as readonly string[]).includes(value)) {
      throw new FieldError(path, `must be one of ${enums.zone.join(', ')}`);
    }
    return value;
  });
  const zoneList = zones ? [...new Set(zones)].sort() : [...defaults.gatewayZones];
  const waf = gateway.object('waf');
  const firewallPolicyId = waf?.string('firewallPolicyId', patterns.wafPolicyId);
  if (firewallPolicyId && sku !== 'WAF_v2') {
    throw new FieldError('spec.gateway.waf.firewallPolicyId', 'needs spec.gateway.sku WAF_v2');
  }
  const certificates = gateway.requiredObject('certificates');
  const domainNameLabel = gateway.string('domainNameLabel', patterns.dnsLabel);
  return {
    sku,
    minCapacity,
    maxCapacity,
    zones: zoneList,
    wafMode: waf?.oneOf('mode', enums.wafMode, defaults.wafMode) ?? defaults.wafMode,
    ...optional('firewallPolicyId', firewallPolicyId),
    certificates: parseCertificates(certificates),
    ...optional('domainNameLabel', domainNameLabel),
  };
}
