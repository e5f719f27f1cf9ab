import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { GATEWAY_API_DIR, PACKAGE_DIR, ROOT } from '../scripts/lib/paths.js';
import { apiReference } from '../scripts/lib/api-reference.js';
import { API_FOLDERS, synthesize } from '../scripts/synth.js';
import { AKS_MINORS, CALENDAR_AS_OF } from '../functions/k8tre/cluster/aks-versions.js';
import { validateStream } from '../scripts/lib/validate.js';
import { loadExample, withField } from './support/function.js';
import { expectValid } from './support/render.js';

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

const IMPORTER = join(ROOT, 'scripts', 'import-models.mjs');
/** `import-models.mjs --check` of the models in `dir`: 0 when they are what its stamp says. */
const importCheck = (dir: string) => spawnSync(process.execPath, [IMPORTER, '--check', '--out', dir], { stdio: 'ignore' }).status;

function expectSameTree(fresh: string, committed: string, regenerate: string): void {
  const a = filesUnder(fresh);
  const b = filesUnder(committed);
  expect([...b.keys()].sort(), `${committed} has different files; run ${regenerate}`).toEqual([...a.keys()].sort());
  for (const [file, content] of a) expect(b.get(file), `${relative(ROOT, join(committed, file))} is stale; run ${regenerate}`).toBe(content);
}

describe('generated files are committed up to date', () => {
  it('docs/api-reference.md lists every field of the committed XRDs (`npm run synth`)', () => {
    const reference = readFileSync(join(ROOT, 'docs', 'api-reference.md'), 'utf8');
    expect(reference, 'docs/api-reference.md is stale; run `npm run synth`').toBe(apiReference(PACKAGE_DIR, API_FOLDERS));
    expect(reference).toContain('| `spec.environments[].addressSpace` |');
    expect(reference).toContain('| `spec.management.argocd.controllerIdentity.clientId` |');
  });

  it('package/ matches `npm run synth`', () => {
    const out = mkdtempSync(join(tmpdir(), 'k8tre-synth-'));
    synthesize(out, ROOT);
    expectSameTree(out, PACKAGE_DIR, '`npm run synth`');
  });

  it('the Gateway API CRD bundles match the upstream standard channel at each release Cilium needs', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'k8tre-gwapi-')), 'bundles');
    execFileSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'gateway-api-crds.js'), '--out', out], { stdio: 'ignore' });
    expectSameTree(out, GATEWAY_API_DIR, '`npm run gateway-api`');
  });

  it('imports/ matches `npm run import`', () => {
    // Its stamp hashes the pins, the importer and imports/ as generated: with none of them
    // changed there is nothing to import again, which takes seconds.
    if (importCheck(join(ROOT, 'imports')) === 0) return;
    const out = join(mkdtempSync(join(tmpdir(), 'k8tre-import-')), 'imports');
    execFileSync(process.execPath, [IMPORTER, '--out', out], { stdio: 'ignore' });
    expectSameTree(out, join(ROOT, 'imports'), '`npm run import`');
  });

  it('would import again for a hand edit of imports/, which its stamp does not hash', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'k8tre-import-')), 'imports');
    cpSync(join(ROOT, 'imports'), copy, { recursive: true });
    expect(importCheck(copy)).toBe(0);
    appendFileSync(join(copy, 'keyvault.azure.m.upbound.io.ts'), '// edited by hand\n');
    expect(importCheck(copy)).toBe(3);
  });
});

describe('the package validates', () => {
  it('XRDs and Compositions validate against Crossplane’s own CRDs', async () => {
    const files = [...filesUnder(join(PACKAGE_DIR, 'apis')).values()];
    await expectValid(files.join('\n---\n'));
  });

  it('every example XR validates against the synthesized XRD', async () => {
    const apis = readdirSync(join(PACKAGE_DIR, 'apis'));
    // Spoke groups and spokes are composed by networks, never written by people: the render tests validate them.
    const examples = apis
      .filter((api) => existsSync(join(ROOT, 'examples', api)))
      .flatMap((api) => readdirSync(join(ROOT, 'examples', api)).map((f) => readFileSync(join(ROOT, 'examples', api, f), 'utf8')));
    expect(examples.length).toBeGreaterThanOrEqual(6);
    await expectValid(examples.join('\n---\n'));
  });

  it('the XRD rejects what the function would reject, naming the field', async () => {
    const example = readFileSync(join(ROOT, 'examples', 'network', 'k8tre.yaml'), 'utf8');
    const broken = example
      .replace('spokePrefixLength: 20', 'spokePrefixLength: 12')
      .replace('- name: prd\n      apex: true', '- name: prd\n      apex: true\n    - name: uat\n      apex: true');
    const result = await validateStream(broken);
    expect(result.ok).toBe(false);
    expect(result.stdout).toContain('spec.addressPool.spokePrefixLength');
    expect(result.stdout).toContain('at most one environment can be the apex');
  });

  // Each: what is refused, the example and the field set to break it, and what `crossplane resource validate` must say.
  const refusedAtAdmission: [string, string, string, unknown, string][] = [
    ['a zonal gateway with one instance', 'network/k8tre.yaml', 'spec.gateway.minCapacity', 1, 'needs minCapacity 2 or more for zone redundancy'],
    ['a system pool of one node', 'cluster/dev.yaml', 'spec.systemPool.minCount', 1, 'spec.systemPool.minCount: Invalid value: 1'],
    ['no user pool', 'cluster/dev.yaml', 'spec.nodePools', [], 'spec.nodePools: Invalid value'],
    ['a tag name Azure refuses', 'network/k8tre.yaml', 'spec.tags', { 'cost/centre': 'ict' }, 'Azure refuses <, >, %, &, \\, ? and / in tag names'],
    ['a region Azure does not have', 'network/k8tre.yaml', 'spec.region', 'uknorth', 'spec.region: Unsupported value: "uknorth"'],
    ['a public hub range', 'network/k8tre.yaml', 'spec.hub.addressSpace', '20.100.0.0/22', 'address ranges must be in private address space'],
    ['a pool straddling private space', 'network/k8tre.yaml', 'spec.addressPool.cidr', '172.0.0.0/11', 'address ranges must be in private address space'],
    [
      'a VNet ID whose subscription is not a GUID',
      'network/existing-hub.yaml',
      'spec.hub.existing.virtualNetworkId',
      '/subscriptions/contoso/resourceGroups/rg-con-network/providers/Microsoft.Network/virtualNetworks/vnet-con-hub',
      'spec.hub.existing.virtualNetworkId: Invalid value',
    ],
    ['a Key Vault name with two hyphens in a row', 'cluster/dev.yaml', 'spec.keyVault', { name: 'kv--research' }, 'spec.keyVault.name: Invalid value'],
    [
      'a pool that can never have a node',
      'cluster/dev.yaml',
      'spec.nodePools',
      [{ name: 'workload', vmSize: 'Standard_D2ds_v5', minCount: 0, maxCount: 0 }],
      'spec.nodePools[0].maxCount: Invalid value: 0',
    ],
    [
      'a node label AKS reserves',
      'cluster/dev.yaml',
      'spec.nodePools',
      [{ name: 'workload', vmSize: 'Standard_D2ds_v5', labels: { 'kubernetes.azure.com/mode': 'user' } }],
      'AKS reserves labels under kubernetes.azure.com/',
    ],
    [
      'a node label value Kubernetes refuses',
      'cluster/dev.yaml',
      'spec.nodePools',
      [{ name: 'workload', vmSize: 'Standard_D2ds_v5', labels: { team: 'has space' } }],
      'spec.nodePools[0].labels.team: Invalid value',
    ],
    ['a tag the package sets', 'network/k8tre.yaml', 'spec.tags', { 'Managed-By': 'me' }, "are the package's tags"],
    [
      'a system pool whose minimum exceeds its maximum',
      'cluster/dev.yaml',
      'spec.systemPool',
      { minCount: 5, maxCount: 3 },
      'maxCount must be at least minCount',
    ],
    ['an environment named like the hub', 'network/k8tre.yaml', 'spec.environments', [{ name: 'hub' }], 'hub and management are reserved'],
    [
      'Key Vault certificate settings without Key Vault issuance',
      'network/k8tre.yaml',
      'spec.gateway.certificates.keyVault',
      { issuerName: 'DigiCert' },
      'keyVault is set exactly when issuance is KeyVault',
    ],
    [
      'a renewal further ahead than Key Vault allows',
      'network/egress.yaml',
      'spec.gateway.certificates.keyVault',
      { issuerName: 'DigiCert', validityInMonths: 2, renewDaysBeforeExpiry: 60 },
      'renewDaysBeforeExpiry is at most 27 days per month of validityInMonths',
    ],
    [
      'Contributor on the whole resource group',
      'cluster/dev.yaml',
      'spec.workloadIdentities',
      [{ name: 'app', namespace: 'apps', serviceAccount: 'app', roles: [{ role: 'contributor', scopeResource: 'ResourceGroup' }] }],
      'a privileged role (Owner, Contributor, access administration) only on one resource',
    ],
    [
      'a role that assigns managed identities',
      'cluster/dev.yaml',
      'spec.workloadIdentities',
      [{ name: 'app', namespace: 'apps', serviceAccount: 'app', roles: [{ role: 'Managed Identity Operator', scopeResource: 'KeyVault' }] }],
      'roles that federate or assign managed identities are not allowed',
    ],
  ];
  it.each(refusedAtAdmission)('the XRD refuses %s', async (_, example, path, value, expected) => {
    const result = await validateStream(stringify(withField(loadExample(join(ROOT, 'examples', example)), path, value)));
    expect(result.ok).toBe(false);
    expect(result.stdout).toContain(expected);
  });

  it('the XRD refuses a Kubernetes minor past AKS end of life, naming the date, from the same table as the function', async () => {
    const [past] = AKS_MINORS.filter((m) => m.endOfLife < CALENDAR_AS_OF).slice(-1);
    const example = readFileSync(join(ROOT, 'examples', 'cluster', 'dev.yaml'), 'utf8').replace(
      /kubernetesVersion: "[0-9.]+"/,
      `kubernetesVersion: "${past!.minor}"`,
    );
    const result = await validateStream(example);
    expect(result.ok).toBe(false);
    expect(result.stdout).toContain(`spec.kubernetesVersion: Invalid value: "${past!.minor}": ${past!.minor} reached AKS end of life on ${past!.endOfLife}`);
  });
});

describe('XRD schemas are structural', () => {
  // The API server refuses a CRD whose list-map keys are neither required nor defaulted;
  // `crossplane resource validate` does not check this, so the test does.
  it('every x-kubernetes-list-type map requires or defaults its keys', () => {
    const problems: string[] = [];
    const visit = (schema: Record<string, unknown>, path: string) => {
      if (schema['x-kubernetes-list-type'] === 'map') {
        const items = schema.items as { required?: string[]; properties?: Record<string, { default?: unknown }> };
        for (const key of (schema['x-kubernetes-list-map-keys'] as string[]) ?? []) {
          if (!items.required?.includes(key) && items.properties?.[key]?.default === undefined) problems.push(`${path}: key ${key}`);
        }
      }
      for (const [name, child] of Object.entries((schema.properties as Record<string, Record<string, unknown>>) ?? {})) visit(child, `${path}.${name}`);
      if (schema.items) visit(schema.items as Record<string, unknown>, `${path}[]`);
    };
    for (const [file, content] of filesUnder(join(PACKAGE_DIR, 'apis'))) {
      if (!file.endsWith('definition.yaml')) continue;
      const xrd = parse(content) as { spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
      for (const version of xrd.spec.versions) visit(version.schema.openAPIV3Schema, file);
    }
    expect(problems).toEqual([]);
  });
});
