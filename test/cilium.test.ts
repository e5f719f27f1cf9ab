import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CILIUM_RELEASES, type CiliumRelease } from '../functions/k8tre/cluster/cilium-releases.js';
import { ciliumValues, gatewayApiBundle } from '../functions/k8tre/cluster/in-cluster.js';
import { parseCidr } from '../functions/k8tre/lib/cidr.js';
import { downloadModule } from '../scripts/lib/go-module.js';

// Every Cilium release the package installs, held to Cilium's own source at that release (the
// github.com/cilium/cilium module from the Go module proxy, hash-pinned): the Gateway API CRDs its
// operator requires are exactly the ones shipped for it, the datapath setting it needs for
// Gateway API is set, and every value the function sets is one its chart reads.

const source = (release: CiliumRelease) => downloadModule('github.com/cilium/cilium', `v${release.patch}`, { pinnedSum: release.moduleSum }).dir;
const read = (dir: string, ...path: string[]) => readFileSync(join(dir, ...path), 'utf8');

/** The CRDs (plural, version) the operator's Gateway API controller refuses to start without. */
function requiredByOperator(dir: string): { plural: string; version: string }[] {
  const helpers = join(dir, 'operator', 'pkg', 'gateway-api', 'helpers');
  const plurals = new Map<string, string>();
  for (const file of readdirSync(helpers).filter((f) => f.endsWith('.go'))) {
    for (const [, constant, plural] of read(helpers, file).matchAll(/\b(\w+Kind)\s+(?:string\s*)?=\s*"([a-z]+)"/g)) plurals.set(constant!, plural!);
  }
  // 1.17 to 1.19 list them in cell.go, 1.20 in helpers/schemes.go.
  const candidates = [join(dir, 'operator', 'pkg', 'gateway-api', 'cell.go'), join(helpers, 'schemes.go')]
    .filter(existsSync)
    .map((file) => readFileSync(file, 'utf8'));
  const block = candidates.map((text) => /var (?:requiredGVKs|RequiredGVKs) = \[\]schema\.GroupVersionKind\{([^}]*)\}/.exec(text)?.[1]).find(Boolean);
  if (!block) throw new Error(`no required GVK list in ${dir}`);
  const versions: Record<string, string> = { gatewayv1: 'v1', gatewayv1beta1: 'v1beta1', gatewayv1alpha2: 'v1alpha2' };
  return [...block.matchAll(/(?:(\w+)\.SchemeGroupVersion\.WithKind\(helpers\.(\w+)\)|GatewayV1GVK\((\w+)\))/g)].map(([, alias, kind, v1Kind]) => ({
    plural: plurals.get(kind ?? v1Kind ?? '') ?? `unknown ${kind ?? v1Kind}`,
    version: alias ? (versions[alias] ?? `unknown ${alias}`) : 'v1',
  }));
}

/** Leaf paths of a values object, e.g. gatewayAPI.gatewayClass.create. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

function chartReads(dir: string, path: string): boolean {
  const chart = join(dir, 'install', 'kubernetes', 'cilium');
  let schema = JSON.parse(read(chart, 'values.schema.json')) as { properties?: Record<string, unknown> };
  let inSchema = true;
  for (const key of path.split('.')) {
    const next = schema.properties?.[key] as typeof schema | undefined;
    if (!next) {
      inSchema = false;
      break;
    }
    schema = next;
  }
  if (inSchema) return true;
  const templates = readdirSync(join(chart, 'templates'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml') || f.endsWith('.tpl'));
  return templates.some((file) => read(chart, 'templates', file).includes(`.Values.${path}`));
}

describe.each(CILIUM_RELEASES.map((release) => [release.minor, release] as const))('Cilium %s', (_, release) => {
  const dir = source(release);
  const values = ciliumValues(release, 'dev', 1, 'dev.privatelink.uksouth.azmk8s.io', {
    serviceCidr: parseCidr('100.64.0.0/16'),
    dnsServiceIp: '100.64.0.10',
    podCidr: parseCidr('100.68.0.0/14'),
  });

  it('is the chart version the table names', () => {
    expect((parse(read(dir, 'install', 'kubernetes', 'cilium', 'Chart.yaml')) as { version: string }).version).toBe(release.patch);
  });

  it('gets exactly the Gateway API CRDs its operator requires, at versions the CRDs serve', () => {
    const required = requiredByOperator(dir);
    expect([...required].sort((a, b) => a.plural.localeCompare(b.plural))).toEqual([...release.requiredCrds].sort((a, b) => a.plural.localeCompare(b.plural)));
    const bundle = gatewayApiBundle(release);
    expect(bundle.crds.map((crd) => crd.spec.names.plural).sort()).toEqual(required.map((r) => r.plural).sort());
    for (const { plural, version } of required) {
      const crd = bundle.crds.find((c) => c.spec.names.plural === plural) as unknown as { spec: { versions: { name: string; served: boolean }[] } };
      expect(crd.spec.versions.find((v) => v.name === version)?.served, `${plural} ${version}`).toBe(true);
    }
  });

  it('gets them from the Gateway API release its documentation names', () => {
    const docs = read(dir, 'Documentation', 'network', 'servicemesh', 'gateway-api', 'installation.rst');
    const named = /CRDs from Gateway API (v[0-9.]+)/.exec(docs)?.[1] ?? /gateway_api_version = '(v[0-9.]+)'/.exec(read(dir, 'Documentation', 'conf.py'))?.[1];
    expect(named).toBe(release.gatewayApiVersion);
    expect(gatewayApiBundle(release).version).toBe(release.gatewayApiVersion);
  });

  it('runs with the datapath its Gateway API controller needs, and the L7 proxy and GatewayClass', () => {
    const cell = read(dir, 'operator', 'pkg', 'gateway-api', 'cell.go');
    const nodePortSuffices = /EnableNodePort/.test(cell);
    if (!nodePortSuffices) expect(values.kubeProxyReplacement).toBe(true);
    else expect(values.kubeProxyReplacement === true || (values.nodePort as { enabled?: boolean } | undefined)?.enabled === true).toBe(true);
    expect(release.kubeProxyReplacement || nodePortSuffices).toBe(true);
    expect(values.l7Proxy).toBe(true);
    const gatewayClass = read(dir, 'install', 'kubernetes', 'cilium', 'templates', 'cilium-gateway-api-class.yaml');
    expect(gatewayClass).toContain('(eq (.Values.gatewayAPI.gatewayClass.create | toString) "true")');
    expect(values.gatewayAPI).toEqual({ enabled: true, gatewayClass: { create: 'true' } });
  });

  it('sets only values its chart reads', () => {
    const unread = leafPaths(values).filter((path) => !chartReads(dir, path));
    expect(unread).toEqual([]);
  });

  it('is tested by Cilium with the Kubernetes minors the table says', () => {
    const compatibility = read(dir, 'Documentation', 'network', 'kubernetes', 'compatibility.rst');
    const row = /\|\s*((?:1\.\d+, )*1\.\d+)\s*\|\s*\*\s*`networking\.k8s\.io\/v1`_/.exec(compatibility)?.[1];
    expect(row?.split(', ')).toEqual(release.testedKubernetes);
  });
});
