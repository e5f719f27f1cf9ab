import { azureNameClashes } from '../support/azure-names.js';
import { SUPPORTED_MINORS } from '../../functions/k8tre/cluster/aks-versions.js';
import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';

import { describe, expect, it } from 'vitest';
import { formatCidr, parseCidr, type Cidr } from '../../functions/k8tre/lib/cidr.js';
import { reconcileInProcess, treeResources, type Json } from '../../scripts/lib/in-process.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { expectValid } from '../support/render.js';
import { desiredNames, loadExample, run, runWithRequired } from '../support/function.js';
import { forProvider } from '../support/manifest.js';

// The whole function under random input. Valid networks, reconciled until settled: the output
// validates against the schemas and every invariant holds. Malformed ones (wrong types, missing
// fields, huge lists, odd unicode, hostile strings): a Fatal with a message naming a field,
// never a crash, never fewer desired resources than observed.

const base = loadExample('examples/network/k8tre.yaml');
const POOL = parseCidr('10.128.0.0/12');

const environmentName = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/).filter((name) => name !== 'hub');
const validNetwork = fc
  .record({
    names: fc.uniqueArray(environmentName, { minLength: 1, maxLength: 12 }),
    exposed: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    apexAt: fc.option(fc.nat({ max: 11 }), { nil: undefined }),
    explicitAt: fc.option(fc.nat({ max: 11 }), { nil: undefined }),
    spokePrefixLength: fc.constantFrom(18, 20, 22),
  })
  .map(({ names, exposed, apexAt, explicitAt, spokePrefixLength }): Json => ({
    ...base,
    spec: {
      ...(base.spec as Json),
      addressPool: { cidr: formatCidr(POOL), spokePrefixLength },
      environments: names.map((name, i) => ({
        name,
        ...(exposed[i] === false && { exposed: false }),
        ...(i === apexAt && { apex: true }),
        // An explicit spoke outside the pool, which allocation must step around nothing for.
        ...(i === explicitAt && { addressSpace: '10.210.0.0/20' }),
      })),
    },
  }));

// Written out here rather than taken from lib/cidr.ts, so the invariants do not trust the code under test.
const lastOf = (c: Cidr) => c.base + 2 ** (32 - c.prefixLength) - 1;
const contains = (outer: Cidr, inner: Cidr) => inner.base >= outer.base && lastOf(inner) <= lastOf(outer);
const overlaps = (a: Cidr, b: Cidr) => a.base <= lastOf(b) && b.base <= lastOf(a);

interface Listener {
  name: string;
  protocol: string;
}

function checkInvariants(xr: Json, observed: Record<string, Json>): void {
  const status = xr.status as {
    environments: { name: string; addressSpace: string; subnets: Record<string, { cidr: string }> }[];
    hub: { addressSpace: string };
  };
  const spec = xr.spec as { environments: { name: string; exposed?: boolean; addressSpace?: string }[] };
  const hub = parseCidr(status.hub.addressSpace);
  const spokes = status.environments.map((e) => ({
    name: e.name,
    cidr: parseCidr(e.addressSpace),
    subnets: Object.values(e.subnets).map((s) => parseCidr(s.cidr)),
  }));
  expect(spokes.map((s) => s.name)).toEqual(spec.environments.map((e) => e.name));
  for (const [i, spoke] of spokes.entries()) {
    const env = spec.environments[i]!;
    if (!env.addressSpace) expect(contains(POOL, spoke.cidr), `${spoke.name} in the pool`).toBe(true);
    expect(overlaps(hub, spoke.cidr), `${spoke.name} off the hub`).toBe(false);
    for (const other of spokes.slice(i + 1)) expect(overlaps(spoke.cidr, other.cidr), `${spoke.name} and ${other.name}`).toBe(false);
    for (const [j, subnet] of spoke.subnets.entries()) {
      expect(contains(spoke.cidr, subnet), `${spoke.name} subnet ${formatCidr(subnet)}`).toBe(true);
      for (const other of spoke.subnets.slice(j + 1)) expect(overlaps(subnet, other)).toBe(false);
    }
  }
  const manifests = Object.values(observed);
  const names = manifests.map((m) => (m.metadata as { name: string }).name);
  expect(new Set(names).size).toBe(names.length);
  expect(azureNameClashes(manifests)).toEqual([]);

  const gateway = manifests.find((m) => m.kind === 'ApplicationGateway');
  expect(gateway, 'the gateway is composed once settled').toBeDefined();
  const gw = forProvider(gateway) as { httpListener: Listener[]; requestRoutingRule: { name: string; priority: number }[] };
  const priorities = gw.requestRoutingRule.map((r) => r.priority);
  expect(new Set(priorities).size).toBe(priorities.length);
  expect(new Set(gw.httpListener.map((l) => l.name)).size).toBe(gw.httpListener.length);
  const exposed = spec.environments.filter((e) => e.exposed !== false);
  // One HTTPS listener per exposed environment, and one HTTP listener, with no host names, that redirects them all.
  expect(gw.httpListener.filter((l) => l.protocol === 'Https').map((l) => l.name)).toEqual(
    exposed.map((env) => `listener-https-${env.name}`).sort((a, b) => a.localeCompare(b)),
  );
  expect(gw.httpListener.filter((l) => l.protocol === 'Http')).toEqual(
    exposed.length > 0 ? [expect.not.objectContaining({ hostNames: expect.anything() })] : [],
  );
}

describe('any valid network', () => {
  it('settles with every invariant holding', () => {
    fc.assert(
      fc.property(validNetwork, (xr) => {
        const settled = reconcileInProcess(xr);
        checkInvariants(settled.xr, treeResources(settled));
      }),
      { numRuns: 60 },
    );
  });

  it('validates against the XRD and the provider CRDs', async () => {
    const samples = fc.sample(validNetwork, { numRuns: 6, seed: 7 });
    const stream = samples
      .flatMap((xr, i) => {
        const named = { ...xr, metadata: { ...(xr.metadata as Json), name: `net${i}` } };
        const settled = reconcileInProcess(named);
        return [settled.xr, ...Object.values(treeResources(settled)).map((m) => ({ ...m, status: undefined }))];
      })
      .map((doc) => toKubernetesYaml(doc))
      .join('---\n');
    await expectValid(stream);
  });
});

// ---- malformed input ----

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '"; rm -rf /', '${jndi:ldap://x}', '../../etc/passwd', '\u202e', '🙂'.repeat(30), 'x'.repeat(5000)),
);
const junk = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
);
const fieldPath = fc.constantFrom(
  'spec',
  'spec.region',
  'spec.hub',
  'spec.hub.addressSpace',
  'spec.addressPool',
  'spec.addressPool.cidr',
  'spec.addressPool.spokePrefixLength',
  'spec.environments',
  'spec.environments.0',
  'spec.environments.0.name',
  'spec.environments.1.addressSpace',
  'spec.environments.2.apex',
  'spec.dns',
  'spec.dns.publicZone',
  'spec.dns.rewrite.services',
  'spec.gateway',
  'spec.gateway.sku',
  'spec.gateway.minCapacity',
  'spec.gateway.certificates.keyVaultId',
  'spec.tags',
  'spec.providerConfigRef',
  'metadata.name',
);

function setPath(target: Json, path: string, value: unknown): Json {
  const copy = structuredClone(target);
  const keys = path.split('.');
  let node: Record<string, unknown> | unknown[] = copy;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return copy;
    node = next as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

const malformed = fc.oneof(
  fc.tuple(fieldPath, fc.oneof(junk, fc.constant(undefined))).map(([path, value]) => setPath(base, path, value)),
  fc.integer({ min: 101, max: 3000 }).map((n) =>
    setPath(
      base,
      'spec.environments',
      Array.from({ length: n }, (_, i) => ({ name: `e${i}` })),
    ),
  ),
  fc.array(fc.tuple(fieldPath, junk), { minLength: 2, maxLength: 4 }).map((edits) => edits.reduce((xr, [path, value]) => setPath(xr, path, value), base)),
);

describe('any malformed network', () => {
  const settled = reconcileInProcess(base);
  const observed = settled.observed;

  it('gets a Fatal that names a field, or composes (when the edit was harmless), and never drops what exists', () => {
    fc.assert(
      fc.property(malformed, (xr) => {
        const rsp = run(xr, observed);
        const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
        if (!fatal) return;
        expect(fatal.reason, fatal.message).toBe('InvalidInput');
        // A field path first; keys that are not plain names are quoted (spec.tags[" "]).
        expect(fatal.message).toMatch(/^invalid input: (spec|metadata)(\.[\w-]+|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*: \S/);
        expect(fatal.message.length).toBeLessThan(600);
        expect(desiredNames(rsp)).toEqual(Object.keys(observed).sort());
      }),
      { numRuns: 40 },
    );
  });

  it('answers every malformed XR without throwing, even with no observed state', () => {
    fc.assert(
      fc.property(malformed, (xr) => {
        expect(() => run(xr)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('keeps every observed resource as it is when the spec is refused', () => {
    const refused = run(setPath(base, 'spec.environments', 'not a list'), observed);
    for (const [name, resource] of Object.entries(observed)) {
      const held = rsp(refused, name);
      expect(held.spec).toEqual((asObserved(resource as Manifest) as Json).spec);
    }
  });
});

function rsp(response: ReturnType<typeof run>, name: string): Json {
  const resource = response.desired?.resources[name]?.resource;
  if (!resource) throw new Error(`no desired ${name}`);
  return resource;
}

// ---- clusters ----

const clusterBase = loadExample('examples/cluster/dev.yaml');
const settledNetwork = reconcileInProcess(base).xr;
const networkRanges = [base.spec as { hub: { addressSpace: string }; addressPool: { cidr: string } }]
  .flatMap((s) => [s.hub.addressSpace, s.addressPool.cidr])
  .map(parseCidr);

const poolName = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).filter((name) => name !== 'system');
const validCluster = fc
  .record({
    environment: fc.constantFrom('dev', 'stg', 'prd', 'mgmt'),
    kubernetesVersion: fc.constantFrom(...SUPPORTED_MINORS),
    pools: fc.uniqueArray(fc.record({ name: poolName, minCount: fc.nat({ max: 5 }), extra: fc.nat({ max: 20 }), maxPods: fc.integer({ min: 30, max: 250 }) }), {
      selector: (p) => p.name,
      minLength: 1,
      maxLength: 4,
    }),
    identities: fc.uniqueArray(
      fc.record({
        name: poolName.filter((n) => !['controlplane', 'externaldns', 'certmanager', 'argocd'].includes(n)),
        roles: fc.uniqueArray(fc.constantFrom('ResourceGroup', 'KeyVault', 'CoreStorage', 'WorkspaceStorage'), { minLength: 1, maxLength: 3 }),
      }),
      { selector: (i) => i.name, maxLength: 4 },
    ),
  })
  .map(({ environment, kubernetesVersion, pools, identities }): Json => ({
    ...clusterBase,
    metadata: { ...(clusterBase.metadata as Json), name: environment },
    spec: {
      ...(clusterBase.spec as Json),
      environment,
      kubernetesVersion,
      nodePools: pools.map((p) => ({
        name: p.name,
        vmSize: 'Standard_D4ds_v5',
        minCount: p.minCount,
        maxCount: Math.max(1, p.minCount + p.extra),
        maxPods: p.maxPods,
      })),
      workloadIdentities: identities.map((i) => ({
        name: i.name,
        namespace: `ns-${i.name}`,
        serviceAccount: i.name,
        roles: i.roles.map((scopeResource) => ({ role: 'Reader', scopeResource })),
      })),
    },
  }));

describe('any valid cluster', () => {
  it('settles with its pools, identities and federations as asked, on address ranges of its own', () => {
    fc.assert(
      fc.property(validCluster, (xr) => {
        const reconciled = reconcileInProcess(xr, { network: [settledNetwork] });
        const settled = reconciled.xr;
        // The cluster's own and its child XRs': the identities compose the federations.
        const manifests = Object.values(treeResources(reconciled));
        const names = manifests.map((m) => (m.metadata as { name: string }).name);
        expect(new Set(names).size).toBe(names.length);
        expect(azureNameClashes(manifests)).toEqual([]);
        const spec = xr.spec as {
          nodePools: { name: string; maxCount: number }[];
          workloadIdentities: { name: string; namespace: string; serviceAccount: string; roles: unknown[] }[];
        };
        const pools = manifests.filter((m) => m.kind === 'KubernetesClusterNodePool');
        expect(pools.map((p) => forProvider(p).maxCount).sort()).toEqual(spec.nodePools.map((p) => p.maxCount).sort());
        const subjects = manifests.filter((m) => m.kind === 'FederatedIdentityCredential').map((m) => forProvider(m).subject);
        for (const identity of spec.workloadIdentities) expect(subjects).toContain(`system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`);
        const status = settled.status as { networking: { serviceCidr: string; podCidr: string } };
        const [service, pods] = [parseCidr(status.networking.serviceCidr), parseCidr(status.networking.podCidr)];
        expect(overlaps(service, pods)).toBe(false);
        for (const range of networkRanges) expect(overlaps(pods, range) || overlaps(service, range)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it('validates against the XRD and the provider CRDs', async () => {
    const stream = fc
      .sample(validCluster, { numRuns: 3, seed: 11 })
      .flatMap((xr) => {
        const settled = reconcileInProcess(xr, { network: [settledNetwork] });
        return [settled.xr, ...Object.values(treeResources(settled)).map((m) => ({ ...m, status: undefined }))];
      })
      .map((doc) => toKubernetesYaml(doc))
      .join('---\n');
    await expectValid(stream);
  });
});

describe('any malformed cluster', () => {
  const observed = reconcileInProcess(clusterBase, { network: [settledNetwork] }).observed;
  const clusterPath = fc.constantFrom(
    'spec.environment',
    'spec.tenantId',
    'spec.adminGroupObjectIds',
    'spec.kubernetesVersion',
    'spec.systemPool',
    'spec.nodePools',
    'spec.nodePools.0',
    'spec.nodePools.0.name',
    'spec.nodePools.0.maxCount',
    'spec.workloadIdentities.0.roles',
    'spec.workloadIdentities.0.roles.0.scope',
    'spec.management.providerIdentity',
    'spec.management.argocd.controllerIdentity.clientId',
    'spec.networking',
    'spec.keyVault',
    'spec.deletionPolicy',
  );
  const malformedCluster = fc.tuple(clusterPath, fc.oneof(junk, fc.constant(undefined))).map(([path, value]) => setPath(clusterBase, path, value));

  it('gets a Fatal that names a field, or composes, and never drops what exists', () => {
    fc.assert(
      fc.property(malformedCluster, (xr) => {
        const answer = runWithRequired(xr, { network: [settledNetwork] }, observed);
        const fatal = answer.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
        if (!fatal) return;
        expect(fatal.reason, fatal.message).toBe('InvalidInput');
        expect(fatal.message).toMatch(/^invalid input: (spec|metadata)/);
        expect(desiredNames(answer)).toEqual(expect.arrayContaining(Object.keys(observed)));
      }),
      { numRuns: 300 },
    );
  });
});
