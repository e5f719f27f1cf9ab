import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../functions/k8tre/cluster/status.js';
import type { NetworkStatus } from '../functions/k8tre/network/status.js';
import { countsByKind, firstRound, planReport } from '../scripts/lib/plan-report.js';
import { topologySvg } from '../scripts/lib/topology-svg.js';
import { reconcileInProcess, type Reconciled } from '../scripts/lib/in-process.js';
import { lastRound, parseStream, type Manifest, type Round } from '../scripts/lib/reconcile.js';
import { toKubernetesYaml } from '../scripts/lib/yaml.js';
import { parse } from 'yaml';
import { plan, type Plan } from '../scripts/plan.js';
import { ROOT } from '../scripts/lib/paths.js';
import { expectValid } from './support/render.js';
import { loadExample } from './support/function.js';

// `npm start`: the example platform rendered through the real CLI until it converges, the
// plan it prints, and the files it writes. The figures in the plan are checked against the
// written stream and the XRs' own status, not against the code that printed them.

let result: Plan;
let network: NetworkStatus;
let clusters: ClusterStatus[];
beforeAll(async () => {
  result = await plan(() => {}, mkdtempSync(join(tmpdir(), 'k8tre-plan-')));
  network = lastRound(result.platform.networks[0]!.rounds).xr.status as NetworkStatus;
  clusters = result.platform.clusters.map((c) => lastRound(c.rounds).xr.status as ClusterStatus);
}, 300_000);

describe('npm start', () => {
  it('renders the network, the management cluster and dev, stg and prd until nothing new appears', () => {
    expect(clusters.map((c) => c.environment)).toEqual(['mgmt', 'dev', 'stg', 'prd']);
    for (const xr of [...result.platform.networks, ...result.platform.clusters]) {
      const [previous, last] = xr.rounds.slice(-2);
      expect(previous, xr.file).toBeDefined();
      expect([...last!.composed.keys()].sort(), xr.file).toEqual([...previous!.composed.keys()].sort());
    }
  });

  it('writes the converged stream, which validates against the XRDs and provider CRDs', async () => {
    const stream = readFileSync(result.files.stream, 'utf8');
    const docs = parseStream(stream);
    expect(docs.filter((d) => d.kind === 'XK8treCluster')).toHaveLength(4);
    await expectValid(stream);
  });

  it('prints every environment with its address space, subnets and listeners as the network reports them', () => {
    for (const env of network.environments) {
      expect(result.report).toContain(`Environment ${env.name}: spoke ${env.addressSpace}`);
      for (const subnet of Object.values(env.subnets)) expect(result.report).toMatch(new RegExp(`${subnet.name} +${subnet.cidr.replace(/\./g, '\\.')}`));
    }
    for (const listener of network.gateway.listeners)
      expect(result.report).toContain(`${listener.hosts.join(', ')} → ${listener.backend}  (priority ${listener.priority})`);
    expect(result.report).toContain('listener  none (not exposed on the public gateway)');
    // The certificate each exposed environment is served with, by the versionless ID the gateway reads.
    for (const env of network.environments.filter((e) => e.certificate)) expect(result.report).toContain(`tls       ${env.certificate?.secretId}`);
    expect(network.environments.filter((e) => e.certificate)).toHaveLength(network.gateway.listeners.length);
  });

  it('prints each environment under the gateway it is placed on, which its DNS records point to', () => {
    expectGroupedByGateway(result.report, network);
  });

  it("prints each cluster's identities with their federation subjects and roles", () => {
    const dev = clusters.find((c) => c.environment === 'dev')!;
    for (const workload of dev.identities.workloads) expect(result.report).toContain(workload.subject);
    expect(result.report).toMatch(/id-dev-jupyter +system:serviceaccount:jupyterhub:hub +Storage Blob Data Contributor on /);
    expect(result.report).toMatch(/management ArgoCD controller +- +Azure Kubernetes Service RBAC Cluster Admin on …\/KubernetesCluster\/dev-aks/);
  });

  it("shows every registered cluster's ArgoCD Secret with the labels K8TRE selects on and the facts it reads", () => {
    const secrets = parseStream(readFileSync(result.files.stream, 'utf8'))
      .filter((d) => d.kind === 'Object' && d.metadata.name.endsWith('-argocd-cluster-secret'))
      .map(
        (d) =>
          (d.spec as { forProvider: { manifest: { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> } } } })
            .forProvider.manifest,
      );
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual(['k8tre-dev-cluster', 'k8tre-prd-cluster', 'k8tre-stg-cluster']);
    for (const secret of secrets) {
      expect(result.report).toContain(`argocd    Secret argocd/${secret.metadata.name}`);
      for (const [key, value] of Object.entries({ ...secret.metadata.labels, ...secret.metadata.annotations }))
        expect(result.report).toMatch(new RegExp(`^ {6}${key.replace(/\./g, '\\.')} +${value.replace(/\./g, '\\.')}$`, 'm'));
    }
  });

  it('counts resources by kind exactly as the written stream holds them', () => {
    const composed = parseStream(readFileSync(result.files.stream, 'utf8')).filter((d) => !d.kind.startsWith('XK8tre'));
    const counts = countsByKind(composed);
    // The network’s monitoring, spoke group and spokes, and each cluster’s monitoring, data stores,
    // identity group and identities (dev 3, stg and prd 2, mgmt 3), are XRs of their own, composed by them.
    expect(result.report).toContain(`Resources by kind (${composed.length} in all, composed by 5 XRs and the 28 XRs they compose)`);
    for (const [kindAndGroup, n] of counts)
      expect(result.report).toMatch(new RegExp(`^  ${kindAndGroup.replace(' ', ' +').replace(/\./g, '\\.')} +${n}$`, 'm'));
  });

  it('shows the reconcile in which each kind first appears: the cluster after its identity and roles', () => {
    const dev = result.platform.clusters.find((c) => c.file.endsWith('dev.yaml'))!;
    expect(firstRound(dev, 'UserAssignedIdentity')).toBe(1);
    expect(firstRound(dev, 'KubernetesCluster')).toBeGreaterThan(firstRound(dev, 'RoleAssignment')!);
    expect(firstRound(dev, 'Release')).toBeGreaterThan(firstRound(dev, 'KubernetesCluster')!);
    expect(firstRound(result.platform.networks[0]!, 'ApplicationGateway')).toBeGreaterThan(1);
    expect(result.report).toMatch(
      new RegExp(`^  KubernetesCluster +- +${firstRound(result.platform.clusters[0]!, 'KubernetesCluster')} +${firstRound(dev, 'KubernetesCluster')} `, 'm'),
    );
  });

  it('draws the hub, every spoke with its subnets and cluster, and a route per listener', () => {
    const svg = readFileSync(result.files.topologies[0]!, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\n$/);
    expect(svg).toContain(`hub ${network.hub.addressSpace}`);
    for (const env of network.environments) {
      expect(svg).toContain(`spoke ${env.name}  ${env.addressSpace}`);
      for (const subnet of Object.values(env.subnets)) expect(svg).toContain(`${subnet.name}  ${subnet.cidr}`);
    }
    for (const cluster of clusters) expect(svg).toContain(`AKS ${cluster.aks.name} (private)`);
    for (const listener of network.gateway.listeners) expect(svg).toContain(`${listener.hosts.join(', ')} → ${listener.backend}`);
    expect(svg.match(/class="route"/g)).toHaveLength(network.gateway.listeners.length);
    expect(svg.match(/class="peering"/g)).toHaveLength(network.environments.length);
  });

  it('is the picture the README shows (docs/topology.svg)', () => {
    const committed = readFileSync(join(ROOT, 'docs', 'topology.svg'), 'utf8');
    expect(committed, 'docs/topology.svg is stale: run `npm start && cp out/topology.svg docs/`').toBe(readFileSync(result.files.topologies[0]!, 'utf8'));
  });
});

describe('npm start -- examples/network/egress.yaml: monitoring and egress turned on', () => {
  // In-process, as for research-250 below; the README shows the same plan through the CLI.
  const settled = reconcileInProcess(loadExample('examples/network/egress.yaml'));
  const status = settled.xr.status as NetworkStatus;
  const report = planReport({ networks: [{ file: 'egress.yaml', rounds: [asRound(settled)] }], clusters: [] });

  it("names the firewall, its subnet and the IP every node subnet routes to, and each environment's outbound type", () => {
    expect(report).toContain(
      `egress      Azure Firewall (Standard) in AzureFirewallSubnet 10.100.1.0/26, private IP ${status.egress?.firewall?.privateIpAddress}: every node subnet routes 0.0.0.0/0 to it`,
    );
    expect(report.match(/ {2}egress {4}userDefinedRouting: the path is in place/g)).toHaveLength(status.environments.length);
  });

  it('names the certificate Key Vault issued for each exposed environment, and when it expires', () => {
    for (const env of status.environments) expect(report).toContain(`tls       ${env.certificate?.secretId}, expires ${env.certificate?.expires}`);
  });

  it('names the monitoring the clusters share', () => {
    expect(report).toMatch(/monitoring {2}Log Analytics \S+, Azure Monitor workspace \S+, Prometheus rule \S+, action group \S+/);
  });

  it('draws the firewall with each node subnet’s route to it, and the workspaces', () => {
    const svg = topologySvg(status, []);
    expect(svg).toContain('Azure Firewall (Standard) · AzureFirewallSubnet 10.100.1.0/26');
    expect(svg.match(/class="egress"/g)).toHaveLength(status.environments.length);
    expect(svg).toContain('class="monitoring"');
  });
});

describe('npm start -- examples/network/research-250.yaml', () => {
  // Through the real CLI it takes minutes (README); the report is the same from the function called in-process.
  let settled: Reconciled;
  let status: NetworkStatus;
  beforeAll(() => {
    settled = reconcileInProcess(loadExample('examples/network/research-250.yaml'));
    status = settled.xr.status as NetworkStatus;
  });

  it('places 249 exposed environments on three gateways, each with its own IP, and groups the report by them', () => {
    expect(status.gateways.map((g) => [g.name, g.environments.length])).toEqual([
      ['agw-research', 99],
      ['agw-research-2', 99],
      ['agw-research-3', 51],
    ]);
    expect(new Set(status.gateways.map((g) => g.publicIpAddress)).size).toBe(3);
    const report = planReport({ networks: [{ file: 'research-250.yaml', rounds: [asRound(settled)] }], clusters: [] });
    expectGroupedByGateway(report, status);
  });
});

/** A tree settled in-process as the one round the report reads. */
function asRound(reconciled: Reconciled): Round {
  return {
    stream: '',
    xr: reconciled.xr as Manifest,
    composed: new Map(Object.entries(reconciled.observed) as [string, Manifest][]),
    children: new Map([...reconciled.children].map(([key, child]) => [key, [asRound(child)]])),
  };
}

/**
 * Every environment is printed under the heading of the gateway the network's status places it on
 * (with that gateway's IP), or under "Not exposed" when it has none; each heading counts its own.
 */
function expectGroupedByGateway(report: string, status: NetworkStatus): void {
  const heading = new Map<string, string>();
  let current = '';
  for (const line of report.split('\n')) {
    if (/^(Gateway |Not exposed)/.test(line)) current = line;
    const env = /^Environment ([^:]+):/.exec(line)?.[1];
    if (env) heading.set(env, current);
  }
  for (const env of status.environments) {
    const gateway = status.gateways.find((g) => g.index === env.gateway?.index);
    const placed = status.environments.filter((e) => gateway && e.gateway?.index === gateway.index).length;
    const expected = gateway
      ? `Gateway ${gateway.name}, public IP ${gateway.publicIpAddress}: ${placed} environment${placed === 1 ? '' : 's'}`
      : 'Not exposed on a public gateway';
    expect(heading.get(env.name), env.name).toBe(expected);
  }
}

describe('npm start -- <files or folders>: planning your own platform', () => {
  const own = mkdtempSync(join(tmpdir(), 'k8tre-own-'));
  const out = mkdtempSync(join(tmpdir(), 'k8tre-own-out-'));
  let mine: Plan;
  beforeAll(async () => {
    // A landing-zone network and its cluster in one file, in a folder with a document that is no XR.
    const network = parse(readFileSync(join(ROOT, 'examples/network/existing-hub.yaml'), 'utf8')) as Manifest;
    const cluster = parse(readFileSync(join(ROOT, 'examples/cluster/dev.yaml'), 'utf8')) as Manifest & { spec: Record<string, unknown> };
    cluster.spec.networkRef = { name: network.metadata.name };
    mkdirSync(join(own, 'platform'));
    writeFileSync(join(own, 'platform', 'lz.yaml'), [network, cluster].map((doc) => toKubernetesYaml(doc)).join('---\n'));
    writeFileSync(join(own, 'platform', 'app.yaml'), toKubernetesYaml({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'x' } }));
    mine = await plan(() => {}, out, [join(own, 'platform')]);
  }, 300_000);

  it('plans the XRs found in a folder, each cluster against its own network, and says what it skipped', () => {
    expect(mine.platform.networks.map((n) => n.file)).toEqual([expect.stringMatching(/lz\.yaml#1$/)]);
    expect(mine.platform.clusters.map((c) => c.file)).toEqual([expect.stringMatching(/lz\.yaml#2$/)]);
    expect(mine.skipped).toEqual([expect.stringMatching(/app\.yaml \(Application\)$/)]);
    expect(mine.report).toContain('Network lz (');
    expect(mine.report).toContain('argocd    Secret argocd/k8tre-dev-cluster');
    expect(lastRound(mine.platform.clusters[0]!.rounds).xr.status).toMatchObject({ environment: 'dev' });
    expect(mine.files.topologies).toEqual([join(out, 'topology.svg')]);
  });

  it('writes the converged stream, which validates', async () => {
    await expectValid(readFileSync(mine.files.stream, 'utf8'));
  });

  it("refuses bad input with the function's message, naming the field, and exits 1", () => {
    const bad = join(own, 'bad.yaml');
    writeFileSync(bad, readFileSync(join(ROOT, 'examples/network/k8tre.yaml'), 'utf8').replace('addressSpace: 10.100.0.0/22', 'addressSpace: 10.100.0.0/25'));
    const run = spawnSync(process.execPath, [join(ROOT, 'dist/scripts/plan.js'), bad], { encoding: 'utf8', cwd: own });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('bad.yaml is refused:');
    expect(run.stderr).toContain('invalid input: spec.hub.addressSpace');
  });

  it('refuses a cluster whose network is not among the files, saying which to add', () => {
    const lonely = join(own, 'lonely.yaml');
    writeFileSync(lonely, readFileSync(join(ROOT, 'examples/cluster/dev.yaml'), 'utf8'));
    const run = spawnSync(process.execPath, [join(ROOT, 'dist/scripts/plan.js'), lonely], { encoding: 'utf8', cwd: own });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('lonely.yaml: spec.networkRef.name "k8tre" names no XK8treNetwork in namespace k8tre among the files given; add its file\n');
  });
});
