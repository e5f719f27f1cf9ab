import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../functions/k8tre/cluster/status.js';
import type { NetworkStatus } from '../functions/k8tre/network/status.js';
import { countsByKind, firstRound } from '../scripts/lib/plan-report.js';
import { lastRound, parseStream } from '../scripts/lib/reconcile.js';
import { plan, type Plan } from '../scripts/plan.js';
import { ROOT } from '../scripts/lib/paths.js';
import { expectValid } from './support/render.js';

// `npm start`: the example platform rendered through the real CLI until it converges, the
// plan it prints, and the files it writes. The figures in the plan are checked against the
// written stream and the XRs' own status, not against the code that printed them.

let result: Plan;
let network: NetworkStatus;
let clusters: ClusterStatus[];
beforeAll(async () => {
  result = await plan(() => {}, mkdtempSync(join(tmpdir(), 'k8tre-plan-')));
  network = lastRound(result.platform.network.rounds).xr.status as NetworkStatus;
  clusters = result.platform.clusters.map((c) => lastRound(c.rounds).xr.status as ClusterStatus);
}, 300_000);

describe('npm start', () => {
  it('renders the network, the management cluster and dev, stg and prd until nothing new appears', () => {
    expect(clusters.map((c) => c.environment)).toEqual(['mgmt', 'dev', 'stg', 'prd']);
    for (const xr of [result.platform.network, ...result.platform.clusters]) {
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
  });

  it("prints each cluster's identities with their federation subjects and roles", () => {
    const dev = clusters.find((c) => c.environment === 'dev')!;
    for (const workload of dev.identities.workloads) expect(result.report).toContain(workload.subject);
    expect(result.report).toMatch(/id-dev-jupyter +system:serviceaccount:jupyterhub:hub +Storage Blob Data Contributor on /);
    expect(result.report).toMatch(/management ArgoCD controller +- +Azure Kubernetes Service RBAC Cluster Admin on …\/KubernetesCluster\/dev-aks/);
  });

  it('counts resources by kind exactly as the written stream holds them', () => {
    const composed = parseStream(readFileSync(result.files.stream, 'utf8')).filter((d) => !d.kind.startsWith('XK8tre'));
    const counts = countsByKind(composed);
    expect(result.report).toContain(`Resources by kind (${composed.length} in all, across 5 XRs)`);
    for (const [kindAndGroup, n] of counts)
      expect(result.report).toMatch(new RegExp(`^  ${kindAndGroup.replace(' ', ' +').replace(/\./g, '\\.')} +${n}$`, 'm'));
  });

  it('shows the reconcile in which each kind first appears: the cluster after its identity and roles', () => {
    const dev = result.platform.clusters.find((c) => c.file.endsWith('dev.yaml'))!;
    expect(firstRound(dev, 'UserAssignedIdentity')).toBe(1);
    expect(firstRound(dev, 'KubernetesCluster')).toBeGreaterThan(firstRound(dev, 'RoleAssignment')!);
    expect(firstRound(dev, 'Release')).toBeGreaterThan(firstRound(dev, 'KubernetesCluster')!);
    expect(firstRound(result.platform.network, 'ApplicationGateway')).toBeGreaterThan(1);
    expect(result.report).toMatch(
      new RegExp(`^  KubernetesCluster +- +${firstRound(result.platform.clusters[0]!, 'KubernetesCluster')} +${firstRound(dev, 'KubernetesCluster')} `, 'm'),
    );
  });

  it('draws the hub, every spoke with its subnets and cluster, and a route per listener', () => {
    const svg = readFileSync(result.files.topology, 'utf8');
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
    expect(committed, 'docs/topology.svg is stale: run `npm start && cp out/topology.svg docs/`').toBe(readFileSync(result.files.topology, 'utf8'));
  });
});
