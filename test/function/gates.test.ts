import { describe, expect, it } from 'vitest';
import { ciliumRelease } from '../../functions/k8tre/cluster/cilium-releases.js';
import { composedGates, networkGates, registrationGates } from '../../functions/k8tre/cluster/gates.js';
import { runFunction } from '../../functions/k8tre/handler.js';
import { parseClusterSpec } from '../../functions/k8tre/cluster/spec.js';
import { firewallGates } from '../../functions/k8tre/firewall/compose-firewall.js';
import { identityGates } from '../../functions/k8tre/identity/compose-identity.js';
import { storesGates } from '../../functions/k8tre/stores/compose-stores.js';
import { monitoringGates } from '../../functions/k8tre/monitoring/compose-monitoring.js';
import type { Wait } from '../../functions/k8tre/lib/waits.js';
import { reconcileInProcess, requestFor, type Json, type Reconciled } from '../../scripts/lib/in-process.js';
import { asObserved, parseStream, RESOURCE_NAME_ANNOTATION, type Manifest } from '../../scripts/lib/reconcile.js';
import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { egressGates, firewallReadyGates, gatewayGates, spokeGates } from '../../functions/k8tre/network/gates.js';
import { azureNames } from '../../functions/k8tre/network/naming.js';
import { parseNetworkSpec } from '../../functions/k8tre/network/spec.js';
import { PRIVATE_LINK_ZONE_KEYS } from '../../functions/k8tre/network/api.js';
import { MONITORING_IDS } from '../../functions/k8tre/monitoring/contract.js';
import { readFileSync } from 'node:fs';
import { loadExample, withField } from '../support/function.js';
import { loadLegacy, observeAsAzure, upgradeInProcess } from '../support/upgrade.js';

// Every gate a composer has is told on its XR (functions/k8tre/lib/waits.ts). Each case shuts one
// gate: by a state every XR passes through on its first apply, by a provider that never reports
// what the gate waits for, or by an upgrade from an earlier version; and finds the gate's words in
// the condition it holds back. A gate added to a catalogue without a case here fails the last test.

type Conditions = readonly { type: string; status: number; message?: string }[];

/** The conditions of every answer the XR got while it settled, its composed XRs' too. */
function conditionsOf(reconciled: Reconciled): Conditions[] {
  return [...reconciled.history.map((round) => round.response.conditions as Conditions), ...[...reconciled.children.values()].flatMap(conditionsOf)];
}

const simulated = (manifest: Json) => asObserved(manifest as Manifest) as Json;

/** The simulated providers, except that `change` edits what they report of resources of `kind`. */
function reporting(kind: string, change: (status: { atProvider: Record<string, unknown>; conditions: unknown[] }) => void) {
  return (manifest: Json): Json => {
    const observed = simulated(manifest);
    if (manifest.kind === kind) change(observed.status as { atProvider: Record<string, unknown>; conditions: unknown[] });
    return observed;
  };
}
const notReady = (status: { conditions: unknown[] }) => {
  status.conditions = [{ type: 'Ready', status: 'False', reason: 'Creating', lastTransitionTime: '2024-01-01T00:00:00Z' }];
};

const network = reconcileInProcess(loadExample('examples/network/k8tre.yaml')).xr;
const cluster = (env: string, observe = simulated) =>
  conditionsOf(reconcileInProcess(loadExample(`examples/cluster/${env}.yaml`), { network: [network] }, observe, 14));
const exampleNetwork = (observe = simulated) => conditionsOf(reconcileInProcess(loadExample('examples/network/k8tre.yaml'), {}, observe, 14));
const egressNetwork = (observe = simulated) => conditionsOf(reconcileInProcess(loadExample('examples/network/egress.yaml'), {}, observe, 14));
const withGrafana = () =>
  conditionsOf(
    reconcileInProcess(
      withField(loadExample('examples/network/egress.yaml'), 'spec.monitoring.grafana', { enabled: true, adminGroupObjectIds: [ADMINS] }),
      {},
      simulated,
      14,
    ),
  );
const ADMINS = '00000000-0000-4000-8000-00000000000a';
/** The network of the fixture from before spokes were XRs, upgraded as its provider reports its resources. */
function upgradeNetwork(): Conditions[] {
  const [xr, ...resources] = parseStream(readFileSync('test/fixtures/network-before-spokes.yaml', 'utf8'));
  const reported = (legacy: Manifest): Json => {
    const annotations = Object.fromEntries(Object.entries(legacy.metadata.annotations ?? {}).filter(([name]) => name !== RESOURCE_NAME_ANNOTATION));
    const observed = asObserved({ ...legacy, metadata: { ...legacy.metadata, annotations } });
    const id = (observed.status as { atProvider: { id: string } }).atProvider.id;
    return { ...observed, metadata: { ...observed.metadata, annotations: { [EXTERNAL_NAME]: id, ...observed.metadata.annotations } } };
  };
  const before = Object.fromEntries(resources.map((m) => [m.metadata.annotations?.[RESOURCE_NAME_ANNOTATION] ?? '', reported(m)]));
  return upgradeInProcess(xr as unknown as Json, before, simulated).rounds.map((round) => round.conditions as Conditions);
}

function upgrade(fixture: string): Conditions[] {
  const legacy = loadLegacy(fixture);
  const required = { network: [reconcileInProcess(loadExample('examples/network/k8tre.yaml'), {}, observeAsAzure, 8).xr] };
  return upgradeInProcess(legacy.xr, legacy.observed, observeAsAzure, required).rounds.map((round) => round.conditions as Conditions);
}

interface Case {
  readonly wait: Wait;
  /** Why the gate shuts here. */
  readonly shut: string;
  readonly conditions: () => Conditions[];
}

const FIRST_APPLY = 'on first apply, before Azure reports it';
// The dev example's names and versions, as its spec reads them.
const dev = loadExample('examples/cluster/dev.yaml') as { metadata: Json; spec: unknown };
const devSpec = parseClusterSpec(dev.metadata, dev.spec);
const devCilium = ciliumRelease(devSpec.ciliumVersion)!;
/** What a cluster needs its network to report, in the order it names them (cluster/network-input.ts). */
const NETWORK_REPORTS = [
  'spoke VNet ID',
  'node subnet ID',
  'private endpoint subnet ID',
  'API server subnet ID',
  'environment DNS zone ID',
  ...PRIVATE_LINK_ZONE_KEYS.map((zone) => `${zone} private DNS zone ID`),
  // The example network's monitoring is on, and its clusters wait for it.
  ...MONITORING_IDS.map((field) => `monitoring ${field}`),
];
/** The dev cluster's data stores XR as the cluster first writes it, without the IDs it tells them. */
function storesWithoutIds(): Json {
  const settled = reconcileInProcess(loadExample('examples/cluster/dev.yaml'), { network: [network] });
  const stores = settled.children.get('data-stores')?.xr as { spec: { keyVault: Json; storage: Record<string, Json> } } | undefined;
  if (!stores) throw new Error('the dev cluster composed no data stores');
  const { id: _vaultId, ...keyVault } = stores.spec.keyVault;
  const storage = Object.fromEntries(Object.entries(stores.spec.storage).map(([purpose, { id: _id, ...account }]) => [purpose, account]));
  return { ...stores, spec: { ...stores.spec, keyVault, storage }, status: {} };
}
const k8treXr = loadExample('examples/network/k8tre.yaml') as { metadata: Json; spec: unknown };
const k8tre = parseNetworkSpec(k8treXr.metadata, k8treXr.spec);
const cases: Case[] = [
  {
    wait: networkGates.networkFetched(`XK8treNetwork ${devSpec.namespace}/${devSpec.networkName}`),
    shut: 'on the first call, before Crossplane fetches the network',
    conditions: () => [runFunction(requestFor(dev)).conditions],
  },
  {
    wait: networkGates.networkReported(`XK8treNetwork ${devSpec.namespace}/${devSpec.networkName}`, NETWORK_REPORTS, devSpec.environment),
    shut: 'while the network has reported nothing',
    conditions: () => conditionsOf(reconcileInProcess(dev, { network: [loadExample('examples/network/k8tre.yaml')] }, simulated, 2)),
  },
  { wait: composedGates.controlPlaneRoles(), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: composedGates.aksCluster(), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: composedGates.oidcIssuer(), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: composedGates.kubeletIdentity(), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: composedGates.secretsProviderIdentity(), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: composedGates.storageIds(), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: composedGates.keyVaultId(devSpec.resourceGroupName), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: composedGates.storesResourceGroup(devSpec.resourceGroupName), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: composedGates.identitiesResourceGroup(devSpec.resourceGroupName), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: composedGates.aksIdForMonitoring(), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  {
    wait: composedGates.clusterReachable('Azure Kubernetes Service RBAC Cluster Admin'),
    shut: 'while AKS is not ready',
    conditions: () => cluster('dev', reporting('KubernetesCluster', notReady)),
  },
  {
    wait: composedGates.gatewayApiCrds(devCilium.gatewayApiVersion, devCilium.minor),
    shut: 'before the CRDs are established',
    conditions: () => cluster('dev'),
  },
  {
    wait: composedGates.apiServerFqdn(),
    shut: 'while AKS reports no private FQDN',
    conditions: () =>
      cluster(
        'dev',
        reporting('KubernetesCluster', (status) => delete status.atProvider.privateFqdn),
      ),
  },
  { wait: composedGates.ciliumDeployed(devSpec.ciliumVersion), shut: 'before the release is deployed', conditions: () => cluster('dev') },
  { wait: composedGates.ciliumBeforeArgoCd(), shut: FIRST_APPLY, conditions: () => cluster('mgmt') },
  {
    wait: composedGates.argocdClientIds(),
    shut: 'while Entra reports no application client ID',
    conditions: () =>
      cluster(
        'mgmt',
        reporting('Application', (status) => delete status.atProvider.clientId),
      ),
  },
  { wait: composedGates.argocdDeployed(), shut: 'before the release is deployed', conditions: () => cluster('mgmt') },
  {
    wait: composedGates.storesOrphaning(),
    shut: 'upgrading a cluster from before its data stores were an XR',
    conditions: () => upgrade('test/fixtures/cluster-before-stores.yaml'),
  },
  {
    wait: composedGates.storesPaused(),
    shut: 'upgrading a cluster from before its data stores were an XR',
    conditions: () => upgrade('test/fixtures/cluster-before-stores.yaml'),
  },
  {
    wait: composedGates.identitiesOrphaning(),
    shut: 'upgrading a cluster from before its workload identities were XRs',
    conditions: () => upgrade('test/fixtures/cluster-before-identities.yaml'),
  },
  {
    wait: composedGates.identitiesPaused(),
    shut: 'upgrading a cluster from before its workload identities were XRs',
    conditions: () => upgrade('test/fixtures/cluster-before-identities.yaml'),
  },
  {
    wait: storesGates.storeIds(),
    shut: "when its cluster cannot tell the stores their IDs yet (its group's ID unreported), before the stores report their own",
    conditions: () => [runFunction(requestFor(storesWithoutIds())).conditions],
  },
  { wait: identityGates.principalId(), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  { wait: identityGates.federationsInTurn(), shut: 'on first apply, for an identity of more than one service account', conditions: () => cluster('mgmt') },
  { wait: registrationGates.ciliumBeforeRegistration(), shut: FIRST_APPLY, conditions: () => cluster('dev') },
  {
    wait: registrationGates.rootCa('kube-system/kube-root-ca.crt'),
    shut: 'while the in-cluster CA is not observed',
    conditions: () =>
      cluster(
        'dev',
        reporting('Object', (status) => delete status.atProvider.manifest),
      ),
  },
  { wait: registrationGates.secretWritten(), shut: 'before the Secret is written', conditions: () => cluster('dev') },
  { wait: monitoringGates.monitorWorkspaceForPrometheus(), shut: FIRST_APPLY, conditions: () => egressNetwork() },
  { wait: monitoringGates.logAnalyticsForGateways(), shut: FIRST_APPLY, conditions: () => egressNetwork() },
  { wait: monitoringGates.monitorWorkspaceForGrafana(), shut: FIRST_APPLY, conditions: withGrafana },
  { wait: monitoringGates.grafanaIdentity(), shut: FIRST_APPLY, conditions: withGrafana },
  { wait: firewallGates.policyIds(false), shut: FIRST_APPLY, conditions: () => egressNetwork() },
  { wait: spokeGates.legacyHandover(['dev', 'stg', 'prd', 'mgmt']), shut: 'upgrading a network from before its spokes were XRs', conditions: upgradeNetwork },
  {
    wait: spokeGates.spokePrerequisites(`the resource group ${k8tre.resourceGroupName}, the hub VNet, the private-link zones`, ['dev', 'mgmt', 'prd', 'stg']),
    shut: FIRST_APPLY,
    conditions: () => exampleNetwork(),
  },
  { wait: gatewayGates.gatewayIdentity(azureNames.gatewayIdentity(k8tre)), shut: FIRST_APPLY, conditions: () => exampleNetwork() },
  { wait: gatewayGates.keyVaultRole('Key Vault Secrets User', azureNames.gatewayIdentity(k8tre)), shut: FIRST_APPLY, conditions: () => exampleNetwork() },
  {
    wait: gatewayGates.wafPolicy(azureNames.wafPolicy(k8tre)),
    shut: 'while the WAF policy reports no ID',
    conditions: () => exampleNetwork(reporting('WebApplicationFirewallPolicy', (status) => delete status.atProvider.id)),
  },
  {
    wait: gatewayGates.firstCertificates(['dev', 'prd']),
    shut: 'while Key Vault issues no certificate',
    conditions: () => egressNetwork(reporting('Certificate', (status) => delete status.atProvider.versionlessSecretId)),
  },
  {
    wait: gatewayGates.listenerCertificates(),
    shut: "while Key Vault has not issued one environment's certificate",
    conditions: () =>
      egressNetwork(reporting('Certificate', (status) => String(status.atProvider.name).includes('dev') && delete status.atProvider.versionlessSecretId)),
  },
  { wait: egressGates.hubForFirewall(false), shut: FIRST_APPLY, conditions: () => egressNetwork() },
  { wait: firewallReadyGates.firewall(), shut: FIRST_APPLY, conditions: () => egressNetwork() },
];

describe('every gate a composer has is told on its XR', () => {
  it.each(cases.map((c) => [c.wait.gate, c] as const))('%s', (_gate, { wait, conditions }) => {
    const told = conditions().flatMap((answer) => answer.filter((condition) => condition.type === wait.condition).map((condition) => condition.message ?? ''));
    expect(
      told.some((message) => message.includes(wait.message)),
      `no ${wait.condition} condition said "${wait.message}"`,
    ).toBe(true);
  });

  it('has a case for every gate in the catalogues', () => {
    const catalogued = [
      networkGates,
      composedGates,
      registrationGates,
      monitoringGates,
      firewallGates,
      spokeGates,
      gatewayGates,
      egressGates,
      firewallReadyGates,
      storesGates,
      identityGates,
    ].flatMap((catalogue) => catalogue.names);
    expect(cases.map((c) => c.wait.gate).sort()).toEqual([...catalogued].sort());
  });
});
