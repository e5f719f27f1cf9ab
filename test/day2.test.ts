import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { asObserved, isPackageXr, lastRound, reconcileUntilSettled, treeComposed, writeObserved, type Manifest, type Round } from '../scripts/lib/reconcile.js';
import { toKubernetesYaml } from '../scripts/lib/yaml.js';
import { loadExample, settle, withField, type Json } from './support/function.js';
import { settleNetwork, useRenderSession } from './support/render.js';

// Day-2 changes through the real CLI: each step is rendered, until settled, with the observed
// state the previous step left, and compared with it resource by resource. Each step says what
// it may touch; anything else that changes, disappears or would be replaced in Azure fails it.

const session = useRenderSession();
const work = mkdtempSync(join(tmpdir(), 'k8tre-day2-'));

interface Change {
  readonly added: string[];
  readonly removed: string[];
  /** Composition key → changed field paths under spec. */
  readonly changed: Map<string, string[]>;
  /** Keys whose Kubernetes or Azure identity moved: Crossplane would delete and recreate them. */
  readonly replaced: string[];
}

/** Paths of the leaves that differ between two JSON values. */
function diff(before: unknown, after: unknown, path: string, out: string[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) diff(before[key], after[key], path ? `${path}.${key}` : key, out);
    return;
  }
  // Lists of the same length are compared item by item; a list that grew or shrank is one change.
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((item, i) => diff(item, after[i], `${path}.${i}`, out));
    return;
  }
  out.push(path);
}

const IDENTITY_FIELDS = ['name', 'resourceGroupName', 'location', 'virtualNetworkName'];
const identity = (m: Manifest) => {
  const fp = (m.spec as { forProvider?: Json } | undefined)?.forProvider ?? {};
  return JSON.stringify([m.metadata.name, m.metadata.annotations?.['crossplane.io/external-name'], ...IDENTITY_FIELDS.map((f) => fp[f])]);
};

/** The managed resources of a settled XR and of the XRs it composed (`spokes-1/dev/vnet`): what exists in Azure. */
function managed(round: Round): Map<string, Manifest> {
  return new Map([...treeComposed(round)].filter(([, manifest]) => !isPackageXr(manifest)));
}

function compare(beforeRound: Round, afterRound: Round): Change {
  const [before, after] = [managed(beforeRound), managed(afterRound)];
  const added = [...after.keys()].filter((k) => !before.has(k)).sort();
  const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
  const changed = new Map<string, string[]>();
  const replaced: string[] = [];
  for (const [key, next] of after) {
    const previous = before.get(key);
    if (!previous) continue;
    const paths: string[] = [];
    diff(previous.spec, next.spec, 'spec', paths);
    if (paths.length > 0) changed.set(key, paths);
    if (identity(previous) !== identity(next)) replaced.push(key);
  }
  return { added, removed, changed, replaced };
}

function summary(step: string, change: Change): string {
  const lines = [
    `day-2: ${step}: ${change.added.length} added, ${change.removed.length} removed, ${change.changed.size} changed, ${change.replaced.length} replaced`,
  ];
  if (change.added.length) lines.push(`  added:   ${change.added.join(', ')}`);
  if (change.removed.length) lines.push(`  removed: ${change.removed.join(', ')}`);
  for (const [key, paths] of change.changed) lines.push(`  changed: ${key}: ${[...new Set(paths.map((p) => p.replace(/\.\d+(\.|$)/g, '[]$1')))].join(', ')}`);
  return lines.join('\n');
}

async function step(name: string, from: Round, xr: Json): Promise<Change> {
  const after = await settleNetwork(session(), { ...xr, status: from.xr.status } as unknown as Manifest, work, name.replace(/\W+/g, '-'), from);
  const change = compare(from, after);
  process.stdout.write(`${summary(name, change)}\n`);
  expect(change.replaced, `${name} would replace resources`).toEqual([]);
  return change;
}

/**
 * An edit that must be refused: rendered on the previous step's observed state, the function
 * answers with a Fatal naming the field, so nothing is applied and nothing is deleted.
 */
async function refused(name: string, from: Round, xr: Json, field: string, extraArgs: readonly string[] = []): Promise<string> {
  const slug = name.replace(/\W+/g, '-');
  const input = join(work, `${slug}.yaml`);
  writeFileSync(input, toKubernetesYaml({ ...xr, status: from.xr.status }));
  const result = await session().render(input, [...extraArgs, '--observed-resources', writeObserved(from, join(work, `${slug}-observed`))]);
  process.stdout.write(`day-2: ${name}: refused\n`);
  expect(result.ok, `${name} must be refused`).toBe(false);
  expect(result.stderr).toContain(`invalid input: ${field}:`);
  return result.stderr;
}

const onlyKeys = (change: Change) => [...change.changed.keys()].sort();
const allPaths = (change: Change) => [...change.changed.values()].flat();

describe('day-2 changes to a network', () => {
  const example = loadExample('examples/network/k8tre.yaml');
  let base: Round;
  beforeAll(async () => {
    base = await settleNetwork(session(), 'examples/network/k8tre.yaml', work, 'base');
  });

  it('adding an environment adds its resources and touches only the gateway', async () => {
    const change = await step(
      'add environment uat',
      base,
      withField(example, 'spec.environments', [...(example.spec as { environments: Json[] }).environments, { name: 'uat' }]),
    );
    expect(change.removed).toEqual([]);
    expect(change.added.length).toBeGreaterThan(10);
    for (const key of change.added) expect(key, 'every new resource belongs to uat').toMatch(/uat/);
    expect(onlyKeys(change)).toEqual(['gateway']);
  });

  it('turning monitoring on for a network made without it adds only the monitoring tree, and changes nothing that exists', async () => {
    const without = await settleNetwork(session(), withField(example, 'spec.monitoring', { enabled: false }) as unknown as Manifest, work, 'monitoring-off');
    const change = await step('turn monitoring on', without, example);
    expect(change.removed).toEqual([]);
    expect(onlyKeys(change)).toEqual([]);
    expect(change.added).toEqual(expect.arrayContaining(['monitoring/log-analytics', 'monitoring/prometheus-rule', 'monitoring/diagnostics-agw-k8tre']));
    for (const key of change.added) expect(key, 'every new resource is the monitoring’s').toMatch(/^monitoring\//);
  });

  it("turning a firewall on adds only the firewall tree, and changes only the spokes' route tables, replacing nothing", async () => {
    const change = await step('turn egress.firewall on', base, withField(example, 'spec.egress', { firewall: {} }));
    expect(change.removed).toEqual([]);
    expect(change.added).toEqual(expect.arrayContaining(['firewall/firewall', 'firewall/policy', 'firewall/rules-aks', 'firewall/rules-k8tre']));
    for (const key of change.added) expect(key, 'every new resource is the firewall’s').toMatch(/^firewall\//);
    // Every route table stops learning routes; the node subnets' gain the default route to the firewall.
    for (const key of onlyKeys(change)) expect(key).toMatch(/\/rt-(nodes|pe|ingress|apiserver)$/);
    const devNodes = [...change.changed].find(([key]) => key.endsWith('/dev/rt-nodes'));
    expect(devNodes?.[1]).toEqual(expect.arrayContaining(['spec.forProvider.route', 'spec.forProvider.bgpRoutePropagationEnabled']));
  });

  it('removing an environment removes only its resources and touches only the gateway', async () => {
    const environments = (example.spec as { environments: { name: string }[] }).environments.filter((e) => e.name !== 'stg');
    const change = await step('remove environment stg', base, withField(example, 'spec.environments', environments));
    expect(change.added).toEqual([]);
    expect(change.removed.length).toBeGreaterThan(10);
    for (const key of change.removed) expect(key, 'only stg resources go').toMatch(/stg/);
    expect(onlyKeys(change)).toEqual(['gateway']);
  });

  it('removing an environment a cluster lives in is refused, naming the cluster, until the cluster is deleted', async () => {
    // The dev cluster's Usage of the network, as its render composes it, labelled with network and environment.
    const cluster = settle(loadExample('examples/cluster/dev.yaml'), (m) => asObserved(m as Manifest), { network: [base.xr] });
    const usages = join(work, 'dev-cluster-usages.yaml');
    writeFileSync(usages, toKubernetesYaml(cluster.observed['usage-network-by-aks']!));
    const environments = (example.spec as { environments: { name: string }[] }).environments.filter((e) => e.name !== 'dev');
    const stderr = await refused('remove environment dev under its cluster', base, withField(example, 'spec.environments', environments), 'spec.environments', [
      '--required-resources',
      usages,
    ]);
    expect(stderr).toContain('environment dev is removed, but XK8treCluster k8tre/dev lives in its spoke');
  });

  it('reordering environments changes nothing', async () => {
    const environments = [...(example.spec as { environments: Json[] }).environments].reverse();
    const change = await step('reorder environments', base, withField(example, 'spec.environments', environments));
    expect(change.added).toEqual([]);
    expect(change.removed).toEqual([]);
    expect(onlyKeys(change)).toEqual([]);
  });

  it("rotating an environment's certificate secret changes only that certificate", async () => {
    const environments = (example.spec as { environments: Json[] }).environments.map((e) =>
      e.name === 'dev' ? { ...e, certificateSecretName: 'tls-dev-2027' } : e,
    );
    const change = await step('rotate the dev certificate secret', base, withField(example, 'spec.environments', environments));
    expect(change.added).toEqual([]);
    expect(change.removed).toEqual([]);
    expect(onlyKeys(change)).toEqual(['gateway']);
    const gateway = (
      await settleNetwork(
        session(),
        { ...withField(example, 'spec.environments', environments), status: base.xr.status } as unknown as Manifest,
        work,
        'rotated',
        base,
      )
    ).composed.get('gateway')!;
    const certificates = (gateway.spec as { forProvider: { sslCertificate: { name: string; keyVaultSecretId: string }[] } }).forProvider.sslCertificate;
    expect(allPaths(change)).toHaveLength(1);
    const [, index] = /^spec\.forProvider\.sslCertificate\.(\d+)\.keyVaultSecretId$/.exec(allPaths(change)[0]!) ?? [];
    expect(certificates[Number(index)]).toMatchObject({
      name: expect.stringContaining('dev'),
      keyVaultSecretId: expect.stringMatching(/\/secrets\/tls-dev-2027$/),
    });
  });
});

describe('day-2 changes to a network that would replace or orphan what exists', () => {
  const example = loadExample('examples/network/k8tre.yaml');
  let base: Round;
  beforeAll(async () => {
    base = await settleNetwork(session(), 'examples/network/k8tre.yaml', work, 'refused-base');
  });

  const environments = () => (example.spec as { environments: Json[] }).environments;
  it.each([
    ['moving the network to another region', 'spec.region', 'westeurope', 'spec.region'],
    ['renaming its resource group', 'spec.resourceGroupName', 'rg-k8tre-network-2', 'spec.resourceGroupName'],
    ['changing the created hub’s range', 'spec.hub.addressSpace', '10.100.4.0/22', 'spec.hub.addressSpace'],
    // Azure replaces a gateway, and its public IP, whose zones change.
    ['moving the gateway to one zone', 'spec.gateway.zones', ['1'], 'spec.gateway.zones'],
    // New zone names are new, empty zones; the old ones keep the records.
    ['renaming the public zone, which the split-horizon zones are named from', 'spec.dns.publicZone', 'k8tre.example.org', 'spec.dns.publicZone'],
    // Peerings fix their remote network at creation.
    [
      'peering with another management network',
      'spec.management',
      {
        virtualNetworkId:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-k8tre-crossplane/providers/Microsoft.Network/virtualNetworks/vnet-other',
        addressSpace: '10.200.0.0/22',
      },
      'spec.management.virtualNetworkId',
    ],
  ])('%s is refused', async (name, path, value, field) => {
    const stderr = await refused(name, base, withField(example, path, value), field);
    expect(stderr).toContain('in force');
  });

  it('moving the apex to another environment is refused: both environments’ zones would be renamed', async () => {
    const moved = environments().map((e) => ({ ...e, apex: e.name === 'stg' }));
    const stg = environments().findIndex((e) => e.name === 'stg');
    const stderr = await refused('move the apex', base, withField(example, 'spec.environments', moved), `spec.environments[${stg}].apex`);
    expect(stderr).toContain('in force');
  });

  it('pinning an allocated environment to another range is refused, naming the range in force', async () => {
    const pinned = environments().map((e) => (e.name === 'dev' ? { ...e, addressSpace: '10.110.192.0/20' } : e));
    const stderr = await refused('renumber dev', base, withField(example, 'spec.environments', pinned), 'spec.environments[0].addressSpace');
    expect(stderr).toContain('dev has 10.110.0.0/20 in force');
  });

  it('adopting an existing hub in place of the created one is refused', async () => {
    const existing = {
      addressSpace: '10.100.0.0/22',
      existing: {
        virtualNetworkId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-other/providers/Microsoft.Network/virtualNetworks/hub',
        applicationGatewaySubnetId:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-other/providers/Microsoft.Network/virtualNetworks/hub/subnets/ApplicationGatewaySubnet',
      },
    };
    await refused('adopt another hub', base, withField(example, 'spec.hub', existing), 'spec.hub.existing');
  });

  it('changing tags changes only tags', async () => {
    const change = await step('retag', base, withField(example, 'spec.tags', { Service: 'k8tre', CostCentre: 'research' }));
    expect(change.added).toEqual([]);
    expect(change.removed).toEqual([]);
    // Every tagged resource gains the tag, and nothing else moves.
    expect(allPaths(change).length).toBeGreaterThan(0);
    for (const path of allPaths(change)) expect(path).toMatch(/^spec\.forProvider\.tags\.CostCentre$/);
  });

  it('switching the WAF to Detection changes only the policy’s mode', async () => {
    const change = await step('WAF in Detection', base, withField(example, 'spec.gateway.waf', { mode: 'Detection' }));
    expect(onlyKeys(change)).toEqual(['gateway-waf-policy']);
    expect(allPaths(change)).toEqual(['spec.forProvider.policySettings.mode']);
  });
});

describe('day-2 changes to a network on an existing hub', () => {
  const example = loadExample('examples/network/existing-hub.yaml');
  const hub = (example.spec as { hub: { addressSpace: string; existing: { virtualNetworkId: string; applicationGatewaySubnetId: string } } }).hub;
  let base: Round;
  beforeAll(async () => {
    base = await settleNetwork(session(), 'examples/network/existing-hub.yaml', work, 'existing-hub-base');
  });

  // The spokes' peerings name the hub they were made with; Azure replaces a peering whose remote
  // network changes, so either edit would cut every spoke off until new peerings are up.
  it('creating a hub here in place of the existing one is refused, naming the hub in force', async () => {
    const stderr = await refused('create a hub instead', base, withField(example, 'spec.hub', { addressSpace: '10.200.0.0/22' }), 'spec.hub');
    expect(stderr).toContain(`existing hub ${hub.existing.virtualNetworkId} in force`);
  });

  it("dropping the landing zone's AKS zone is refused: a zone of the network's own would replace every live cluster", async () => {
    const zones = { ...(example.spec as { dns: { privateLinkZones: Record<string, string> } }).dns.privateLinkZones };
    delete zones.aks;
    const stderr = await refused(
      'drop the landing zone AKS zone',
      base,
      withField(example, 'spec.dns.privateLinkZones', zones),
      'spec.dns.privateLinkZones.aks',
    );
    expect(stderr).toContain('privatelink.westeurope.azmk8s.io in resource group rg-con-dns, in force');
  });

  it('peering with another existing hub is refused, naming the hub in force', async () => {
    const other = hub.existing.virtualNetworkId.replace('vnet-con-hub', 'vnet-con-hub-2');
    const moved = { ...hub, existing: { virtualNetworkId: other, applicationGatewaySubnetId: `${other}/subnets/PublicGatewaySubnet` } };
    const stderr = await refused('another existing hub', base, withField(example, 'spec.hub', moved), 'spec.hub.existing.virtualNetworkId');
    expect(stderr).toContain(`is ${hub.existing.virtualNetworkId} in force`);
  });
});

describe('day-2 changes to rewrites', () => {
  it('changing the rewritten services changes only the gateway’s rewrite rules', async () => {
    const example = loadExample('examples/network/internal-domain.yaml');
    const base = await settleNetwork(session(), 'examples/network/internal-domain.yaml', work, 'rewrite-base');
    const change = await step('rewrite services', base, withField(example, 'spec.dns.rewrite', { services: ['jupyter', 'opal', 'keycloak', 'grafana'] }));
    expect(change.added).toEqual([]);
    expect(change.removed).toEqual([]);
    expect(onlyKeys(change)).toEqual(['gateway']);
    for (const path of allPaths(change)) expect(path).toMatch(/^spec\.forProvider\.rewriteRuleSet(\.|$)/);
  });
});

describe('day-2 changes to a cluster', () => {
  const example = loadExample('examples/cluster/dev.yaml');
  let base: Round;
  let required: string[];
  beforeAll(async () => {
    await settleNetwork(session(), 'examples/network/k8tre.yaml', work, 'cluster-network');
    required = ['--required-resources', join(work, 'cluster-network.yaml')];
    base = await settleCluster('cluster-base', example);
  });

  async function settleCluster(name: string, xr: Json, from?: Round): Promise<Round> {
    const input = join(work, `${name}.yaml`);
    writeFileSync(input, toKubernetesYaml(from ? { ...xr, status: from.xr.status } : xr));
    const observed = from ? ['--observed-resources', writeObserved(from, join(work, `${name}-observed`))] : [];
    return lastRound(await reconcileUntilSettled(session(), input, { extraArgs: [...required, ...observed], maxRounds: 10 }));
  }

  async function clusterStep(name: string, xr: Json): Promise<Change> {
    const after = await settleCluster(name.replace(/\W+/g, '-'), xr, base);
    const change = compare(base, after);
    process.stdout.write(`${summary(name, change)}\n`);
    expect(change.replaced, `${name} would replace resources`).toEqual([]);
    expect(change.added).toEqual([]);
    expect(change.removed).toEqual([]);
    return change;
  }

  it('resizing a node pool changes only that pool’s counts', async () => {
    const pools = (example.spec as { nodePools: Json[] }).nodePools.map((p) => ({ ...p, maxCount: 8 }));
    const change = await clusterStep('resize the workload pool', withField(example, 'spec.nodePools', pools));
    expect(onlyKeys(change)).toEqual(['nodepool-workload']);
    expect(allPaths(change)).toEqual(['spec.forProvider.maxCount']);
  });

  it.each([
    ['moving the cluster to another environment', 'spec.environment', 'stg', 'spec.environment'],
    ['moving it to another tenant', 'spec.tenantId', '99999999-9999-9999-9999-999999999999', 'spec.tenantId'],
    ['changing its service range', 'spec.networking', { serviceCidr: '100.65.0.0/16' }, 'spec.networking.serviceCidr'],
    ['moving its pod pool', 'spec.networking', { podCidr: '100.72.0.0/14' }, 'spec.networking.podCidr'],
    ['downgrading Kubernetes', 'spec.kubernetesVersion', '1.35', 'spec.kubernetesVersion'],
    ['making the storage zone-redundant', 'spec.storage', { replication: 'ZRS' }, 'spec.storage.replication'],
  ])('%s is refused', async (name, path, value, field) => {
    const stderr = await refused(name, base, withField(example, path, value), field, required);
    expect(stderr).toMatch(/in force|older than/);
  });

  it('geo-replicating the storage changes only the accounts’ replication, in place', async () => {
    const change = await clusterStep('replicate storage to the paired region', withField(example, 'spec.storage', { replication: 'GRS' }));
    expect(onlyKeys(change)).toEqual(['data-stores/storage-core', 'data-stores/storage-workspace']);
    expect([...new Set(allPaths(change))]).toEqual(['spec.forProvider.accountReplicationType']);
  });

  it('adding a pool and removing another changes only those pools', async () => {
    const pools = [{ name: 'gpu', vmSize: 'Standard_NC4as_T4_v3', minCount: 0, maxCount: 2 }];
    const after = await settleCluster('swap-pools', withField(example, 'spec.nodePools', pools), base);
    const change = compare(base, after);
    process.stdout.write(`${summary('swap the workload pool for a gpu pool', change)}\n`);
    expect(change.added).toEqual(['nodepool-gpu']);
    expect(change.removed).toEqual(['nodepool-workload']);
    expect(change.replaced).toEqual([]);
    expect(onlyKeys(change)).toEqual([]);
  });

  it("moving the node images' maintenance window changes only that window", async () => {
    const change = await clusterStep('move node image upgrades to Wednesday', withField(example, 'spec.maintenance', { nodeOs: { dayOfWeek: 'Wednesday' } }));
    expect(onlyKeys(change)).toEqual(['aks']);
    expect(change.changed.get('aks')).toEqual(['spec.forProvider.maintenanceWindowNodeOs.dayOfWeek']);
  });

  it('upgrading the package onto a cluster composed before the AKS posture only adds fields to the cluster, and rotates no pool', async () => {
    // The cluster as an earlier version composed it and the provider observed it: none of the
    // posture's fields, and no host encryption on either pool. Turning host encryption on would
    // rotate (replace) every node, so the live pools keep theirs.
    const POSTURE = ['runCommandEnabled', 'imageCleanerEnabled', 'imageCleanerIntervalHours', 'maintenanceWindowAutoUpgrade', 'maintenanceWindowNodeOs'];
    const earlier = structuredClone(base.composed);
    const forProviderOf = (key: string) => (earlier.get(key)!.spec as { forProvider: Json }).forProvider;
    for (const field of POSTURE) delete forProviderOf('aks')[field];
    delete (forProviderOf('aks').defaultNodePool as Json).hostEncryptionEnabled;
    delete forProviderOf('nodepool-workload').hostEncryptionEnabled;
    const before: Round = { ...base, composed: earlier };
    const after = await settleCluster('posture-upgrade', example, before);
    const change = compare(before, after);
    process.stdout.write(`${summary('upgrade onto a cluster without the posture', change)}\n`);
    expect(change.replaced).toEqual([]);
    expect(change.added).toEqual([]);
    expect(change.removed).toEqual([]);
    expect(onlyKeys(change)).toEqual(['aks']);
    expect(new Set(change.changed.get('aks')!.map((path) => path.split('.')[2]))).toEqual(new Set(POSTURE));
  });

  it("turning a cluster's monitoring on adds only its monitoring XR, and only the add-ons' fields to AKS", async () => {
    // A cluster that had monitoring and Defender off, in a network that has them.
    const off = withField(withField(example, 'spec.monitoring', { enabled: false }), 'spec.security', { defender: false });
    const without = await settleCluster('monitoring-off', off);
    const change = compare(without, await settleCluster('monitoring-on', example, without));
    process.stdout.write(`${summary('turn monitoring on', change)}\n`);
    expect(change.replaced).toEqual([]);
    expect(change.removed).toEqual([]);
    expect(change.added).toEqual(
      expect.arrayContaining(['monitoring/prometheus-association', 'monitoring/aks-diagnostics', 'monitoring/key-vault-diagnostics']),
    );
    for (const key of change.added) expect(key, 'every new resource is the monitoring’s').toMatch(/^monitoring\//);
    expect(onlyKeys(change)).toEqual(['aks']);
    expect(new Set(change.changed.get('aks')!.map((path) => path.split('.')[2]))).toEqual(new Set(['monitorMetrics', 'omsAgent', 'microsoftDefender']));
  });

  it('bumping the Kubernetes version changes only the control plane’s and pools’ versions', async () => {
    const change = await clusterStep('bump Kubernetes to 1.37', withField(example, 'spec.kubernetesVersion', '1.37'));
    expect(onlyKeys(change)).toEqual(['aks', 'nodepool-workload']);
    expect(change.changed.get('aks')?.sort()).toEqual(['spec.forProvider.defaultNodePool.orchestratorVersion', 'spec.forProvider.kubernetesVersion']);
    expect(change.changed.get('nodepool-workload')).toEqual(['spec.forProvider.orchestratorVersion']);
  });
});
