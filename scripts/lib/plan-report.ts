import type { ClusterStatus } from '../../functions/k8tre/cluster/status.js';
import type { NetworkStatus } from '../../functions/k8tre/network/status.js';
import { livesIn, type RenderedPlatform, type RenderedXr } from './platform.js';
import { asObserved, isPackageXr, lastRound, treeComposed, type Manifest, type Round } from './reconcile.js';
import { keys } from '../../functions/k8tre/cluster/naming.js';

// The readable plan `npm start` prints: per network and environment its address space, gateway
// listeners, cluster identities (federation subjects and roles) and the ArgoCD cluster Secret it
// registers with, then resource counts by kind and the reconcile in which each kind first appears.

type Spec = Record<string, unknown>;

const forProvider = (m: Manifest) => (m.spec as { forProvider?: Spec } | undefined)?.forProvider ?? {};
const atProvider = (m: Manifest) => (asObserved(m).status as { atProvider: Spec }).atProvider;
const azureName = (m: Manifest) => m.metadata.annotations?.['crossplane.io/external-name'] ?? m.metadata.name;
const short = (scope: string) => (scope.includes('/') ? `…/${scope.split('/').slice(-2).join('/')}` : scope);

function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

/** Who each principal ID in a cluster's role assignments is, by the simulated provider's IDs. */
function principals(xr: RenderedXr): Map<string, string> {
  const names = new Map<string, string>();
  const round = lastRound(xr.rounds);
  const spec = round.xr.spec as { management?: { providerIdentity?: { principalId?: string }; argocd?: { controllerIdentity?: { principalId?: string } } } };
  const management = spec.management;
  if (management?.providerIdentity?.principalId) names.set(management.providerIdentity.principalId, 'management providers (helm, kubernetes)');
  if (management?.argocd?.controllerIdentity?.principalId) names.set(management.argocd.controllerIdentity.principalId, 'management ArgoCD controller');
  for (const manifest of treeComposed(round).values()) {
    const observed = atProvider(manifest);
    if (manifest.kind === 'UserAssignedIdentity') names.set(String(observed.principalId), azureName(manifest));
    if (manifest.kind === 'KubernetesCluster') {
      const kubelet = observed.kubeletIdentity as { objectId: string };
      const secrets = (observed.keyVaultSecretsProvider as { secretIdentity: { objectId: string }[] }).secretIdentity[0];
      names.set(kubelet.objectId, `kubelet of ${azureName(manifest)}`);
      if (secrets) names.set(secrets.objectId, `secrets provider of ${azureName(manifest)}`);
    }
  }
  return names;
}

function identityRows(xr: RenderedXr): string[][] {
  // The cluster's own and its identities' (XK8treWorkloadIdentities).
  const composed = [...treeComposed(lastRound(xr.rounds)).values()];
  const byName = new Map(composed.map((m) => [m.metadata.name, m]));
  const subjects = new Map<string, string[]>();
  for (const fic of composed.filter((m) => m.kind === 'FederatedIdentityCredential')) {
    const spec = forProvider(fic);
    const parentRef = (spec.parentIdRef ?? spec.applicationIdRef) as { name?: string } | undefined;
    const parent = parentRef?.name ? byName.get(parentRef.name) : undefined;
    const owner = parent ? azureName(parent) : typeof spec.applicationId === 'string' ? spec.applicationId : 'an Entra application';
    subjects.set(owner, [...(subjects.get(owner) ?? []), String(spec.subject)]);
  }
  const names = principals(xr);
  const roles = new Map<string, string[]>();
  for (const assignment of composed.filter((m) => m.kind === 'RoleAssignment')) {
    const spec = forProvider(assignment);
    const who = names.get(String(spec.principalId)) ?? String(spec.principalId);
    roles.set(who, [...(roles.get(who) ?? []), `${String(spec.roleDefinitionName)} on ${short(String(spec.scope))}`]);
  }
  const who = [...new Set([...subjects.keys(), ...roles.keys()])].sort();
  return who.flatMap((name) => {
    const lines = Math.max(subjects.get(name)?.length ?? 0, roles.get(name)?.length ?? 0, 1);
    return Array.from({ length: lines }, (_, i) => [i === 0 ? name : '', subjects.get(name)?.[i] ?? (i === 0 ? '-' : ''), roles.get(name)?.[i] ?? '']);
  });
}

export function planReport(platform: RenderedPlatform): string {
  const clusters = platform.clusters.map((c) => ({ rendered: c, round: lastRound(c.rounds) }));
  const out: string[] = [];
  for (const rendered of platform.networks) {
    const network = lastRound(rendered.rounds);
    const status = network.xr.status as NetworkStatus;
    const networkName = network.xr.metadata.name;
    const own = clusters.filter(({ round }) => livesIn(round.xr, network.xr));
    const clustersByEnv = new Map(own.map(({ rendered: c, round }) => [(round.xr.status as ClusterStatus).environment, c]));
    if (out.length > 0) out.push('');
    out.push(`Network ${networkName} (${rendered.file}): hub ${status.hub.addressSpace}, ${plural(status.gateways.length, 'gateway')}`);
    out.push(`  egress      ${egressLine(status)}`, `  monitoring  ${monitoringLine(status)}`);
    // Environments by the gateway they are placed on, which DNS records must point to (a gateway
    // whose environments were all removed stays, with none); then those not exposed, if any.
    const notExposed = status.environments.filter((env) => env.gateway === undefined);
    const groups = [
      ...status.gateways.map((g) => {
        const environments = status.environments.filter((env) => env.gateway?.index === g.index);
        return { heading: `Gateway ${g.name}, public IP ${g.publicIpAddress ?? '(pending)'}: ${plural(environments.length, 'environment')}`, environments };
      }),
      ...(notExposed.length > 0 ? [{ heading: 'Not exposed on a public gateway', environments: notExposed }] : []),
    ];
    for (const group of groups) {
      out.push('', group.heading);
      for (const env of group.environments) out.push('', ...environmentLines(env, status, clustersByEnv.get(env.name)));
    }
  }

  const xrs = [...platform.networks, ...platform.clusters];
  const tree = xrs.flatMap((xr) => [...treeComposed(lastRound(xr.rounds)).values()]);
  const counts = countsByKind(tree.filter((m) => !isPackageXr(m)));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const children = tree.filter(isPackageXr).length;
  out.push('', `Resources by kind (${total} in all, composed by ${xrs.length} XRs${children > 0 ? ` and the ${children} XRs they compose` : ''})`);
  out.push(...table([...counts].sort(([a], [b]) => a.localeCompare(b)).map(([kindAndGroup, n]) => [...kindAndGroup.split(' '), String(n)])));

  const names = xrs.map((xr) => lastRound(xr.rounds).xr.metadata.name);
  out.push('', 'Reconcile in which each kind first appears (1 = first render; later ones wait for IDs Azure reports)');
  const kinds = [...new Set([...counts.keys()].map((key) => key.split(' ')[0]!))].sort();
  out.push(...table([['kind', ...names], ...kinds.map((kind) => [kind, ...xrs.map((xr) => String(firstRound(xr, kind) ?? '-'))])]));
  return `${out.join('\n')}\n`;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

type EnvironmentStatus = NetworkStatus['environments'][number];

/** Where the spokes' nodes send their traffic out. */
function egressLine(status: NetworkStatus): string {
  const egress = status.egress;
  if (!egress) return "none: each cluster's own load balancer";
  if (egress.via === 'natGateway') return 'a NAT gateway per spoke, on its node subnet';
  if (egress.via === 'nextHopIp') return `every node subnet routes 0.0.0.0/0 to ${egress.nextHopIp ?? '?'}`;
  const firewall = egress.firewall;
  return `Azure Firewall (${firewall?.tier ?? '?'}) in AzureFirewallSubnet ${firewall?.subnet ?? '?'}, private IP ${firewall?.privateIpAddress ?? '(pending)'}: every node subnet routes 0.0.0.0/0 to it`;
}

/** The platform monitoring the clusters share, by the names in its IDs. */
function monitoringLine(status: NetworkStatus): string {
  const m = status.monitoring;
  if (!m) return 'off';
  const name = (id: string | undefined) => id?.split('/').pop() ?? '(pending)';
  return `Log Analytics ${name(m.logAnalyticsWorkspaceId)}, Azure Monitor workspace ${name(m.monitorWorkspaceId)}, Prometheus rule ${name(m.prometheusRuleId)}, action group ${name(m.actionGroupId)}`;
}

/** One environment: its spoke and subnets, its listeners and, if the plan has it, its cluster. */
function environmentLines(env: EnvironmentStatus, status: NetworkStatus, cluster: RenderedXr | undefined): string[] {
  const out = [
    `Environment ${env.name}: spoke ${env.addressSpace}, domain ${env.publicDomain}${env.internalDomain === env.publicDomain ? '' : ` (internal ${env.internalDomain})`}`,
    ...table(Object.values(env.subnets).map((s) => [s.name, s.cidr])),
  ];
  const listeners = status.gateway.listeners.filter((l) => l.environment === env.name);
  for (const l of listeners) out.push(`  listener  ${l.hosts.join(', ')} → ${l.backend}  (priority ${l.priority})`);
  if (listeners.length === 0) out.push('  listener  none (not exposed on the public gateway)');
  if (env.certificate) {
    const { name, secretId, expires } = env.certificate;
    out.push(`  tls       ${secretId ? `${secretId}${expires ? `, expires ${expires}` : ''}` : `${name}: waiting for Key Vault to issue it`}`);
  }
  if (status.egress) out.push(`  egress    ${env.outboundType ? `${env.outboundType}: the path is in place` : 'waiting for the path (its cluster waits too)'}`);
  if (!cluster) return [...out, '  cluster   none in this plan'];
  const last = lastRound(cluster.rounds);
  const cs = last.xr.status as ClusterStatus;
  return [
    ...out,
    `  cluster   ${cs.aks.name} (${cluster.file}): services ${cs.networking.serviceCidr}, DNS ${cs.networking.dnsServiceIp}, pods ${cs.networking.podCidr}`,
    '  identities',
    ...table([['identity', 'federated subject', 'role'], ...identityRows(cluster)], '    '),
    ...argocdSecretLines(last),
  ];
}

/** The ArgoCD cluster Secret a cluster registers with: where, the labels K8TRE selects on, and the facts it publishes. */
function argocdSecretLines(round: Round): string[] {
  const object = round.composed.get(keys.argocdCluster);
  if (!object)
    return [
      `  argocd    not registered${(round.xr.spec as { management?: { argocd?: unknown } }).management?.argocd ? ' yet' : ' (no spec.management.argocd)'}`,
    ];
  const secret = forProvider(object).manifest as {
    metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  };
  const pairs = (map: Record<string, string> | undefined) => Object.entries(map ?? {}).map(([k, v]) => [k, v]);
  return [
    `  argocd    Secret ${secret.metadata.namespace}/${secret.metadata.name}`,
    '    labels',
    ...table(pairs(secret.metadata.labels), '      '),
    '    annotations',
    ...table(pairs(secret.metadata.annotations), '      '),
  ];
}

export function firstRound(xr: RenderedXr, kind: string): number | undefined {
  const index = xr.rounds.findIndex((round) => [...treeComposed(round).values()].some((m) => m.kind === kind));
  return index === -1 ? undefined : index + 1;
}

/** Composed resources counted by `<kind> <API group>`: two groups have an Application kind. */
export function countsByKind(manifests: readonly Manifest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of manifests) {
    const key = `${m.kind} ${m.apiVersion.includes('/') ? m.apiVersion.split('/')[0]! : 'core'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
