import { toCliInput } from './yaml.js';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { RenderSession } from './render-engine.js';
import { ROOT_CA } from '../../functions/k8tre/cluster/argocd-registration.js';
import { GROUP } from '../../functions/k8tre/network/api.js';

// Offline stand-in for the cloud: every composed resource of a render becomes observed and
// Ready, with IDs that are plainly fake (the all-zero subscription, TEST-NET addresses), and
// the XR keeps the status the function wrote. Rendering again then shows what Crossplane
// would compose next, e.g. resources that wait for an identity's principal ID.

export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> } };

export const FAKE_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
export const RESOURCE_NAME_ANNOTATION = 'crossplane.io/composition-resource-name';

export function parseStream(yaml: string): Manifest[] {
  return parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null && typeof doc === 'object');
}

export function resourceName(manifest: Manifest): string | undefined {
  return manifest.metadata.annotations?.[RESOURCE_NAME_ANNOTATION];
}

function fakeUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `00000000-0000-4000-8000-${hex.slice(0, 12)}`;
}

/** A certificate in form only: PEM armour around the words "simulated cluster CA". */
export const SIMULATED_CA = `-----BEGIN CERTIFICATE-----\n${Buffer.from('simulated cluster CA').toString('base64')}\n-----END CERTIFICATE-----\n`;

function isRootCaConfigMap(manifest: unknown): boolean {
  const m = manifest as { kind?: unknown; metadata?: { name?: unknown } } | undefined;
  return m?.kind === 'ConfigMap' && m.metadata?.name === ROOT_CA.name;
}

/** A composed resource as the provider would report it once it exists and is healthy. */
export function asObserved(manifest: Manifest): Manifest {
  const name = manifest.metadata.name;
  const group = manifest.apiVersion.split('/')[0] ?? 'unknown';
  const forProvider = (manifest.spec as { forProvider?: Record<string, unknown> } | undefined)?.forProvider ?? {};
  const atProvider: Record<string, unknown> = {
    ...forProvider,
    id: `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/rg-simulated/providers/${group}/${manifest.kind}/${name}`,
  };
  if (manifest.kind === 'UserAssignedIdentity') {
    atProvider.principalId = fakeUuid(`principal/${name}`);
    atProvider.clientId = fakeUuid(`client/${name}`);
    atProvider.tenantId = FAKE_SUBSCRIPTION;
  }
  if (manifest.kind === 'PublicIp' || manifest.kind === 'PublicIP') {
    // TEST-NET-3, one address per gateway: the n-th gateway's IP (Azure name `…-<n>`) ends in 10 + n - 1.
    const n = Number(/-(\d+)$/.exec(manifest.metadata.annotations?.['crossplane.io/external-name'] ?? '')?.[1] ?? 1);
    atProvider.ipAddress = `203.0.113.${9 + n}`;
  }
  if (manifest.kind === 'KubernetesCluster') {
    atProvider.oidcIssuerUrl = `https://oidc.simulated.invalid/${fakeUuid(`issuer/${name}`)}/`;
    atProvider.privateFqdn = `${name}.privatelink.simulated.invalid`;
    atProvider.kubeletIdentity = { clientId: fakeUuid(`kubelet-client/${name}`), objectId: fakeUuid(`kubelet/${name}`) };
    atProvider.keyVaultSecretsProvider = { secretIdentity: [{ clientId: fakeUuid(`kvsp-client/${name}`), objectId: fakeUuid(`kvsp/${name}`) }] };
  }
  if (manifest.kind === 'Application' && group.startsWith('applications.azuread')) {
    atProvider.clientId = fakeUuid(`application/${name}`);
    atProvider.objectId = fakeUuid(`application-object/${name}`);
  }
  if (manifest.kind === 'Firewall') {
    // Azure gives a firewall the first address it may use in its AzureFirewallSubnet, the fourth:
    // here that of the examples' hubs (10.100.0.0/22, whose AzureFirewallSubnet is 10.100.1.0/26).
    const configurations = Array.isArray(forProvider.ipConfiguration) ? (forProvider.ipConfiguration as Record<string, unknown>[]) : [];
    atProvider.ipConfiguration = configurations.map((c, i) => ({ ...c, privateIpAddress: `10.100.1.${4 + i}` }));
  }
  if (manifest.kind === 'Grafana') {
    atProvider.identity = { ...(forProvider.identity as Record<string, unknown>), principalId: fakeUuid(`principal/${name}`) };
    atProvider.endpoint = `https://${name}.simulated.invalid`;
  }
  if (manifest.kind === 'Vault') atProvider.vaultUri = `https://${name}.vault.simulated.invalid/`;
  if (manifest.kind === 'Certificate' && group.startsWith('keyvault.')) {
    // Key Vault puts an issued certificate in the secret of its name; the expiry is far enough
    // ahead that no test depends on today's date.
    const vaultId = typeof forProvider.keyVaultId === 'string' ? forProvider.keyVaultId : '';
    const vault = vaultId.slice(vaultId.lastIndexOf('/') + 1).toLowerCase();
    atProvider.versionlessSecretId = `https://${vault}.vault.azure.net/secrets/${String(forProvider.name)}`;
    atProvider.certificateAttribute = [{ enabled: true, expires: '2099-01-01T00:00:00Z' }];
  }
  if (manifest.kind === 'Object' && isRootCaConfigMap(forProvider.manifest)) {
    // provider-kubernetes reports what it observed in the cluster: here, the CA Kubernetes publishes.
    atProvider.manifest = { ...(forProvider.manifest as Record<string, unknown>), data: { [ROOT_CA.key]: SIMULATED_CA } };
  }
  return {
    ...manifest,
    status: {
      atProvider,
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2024-01-01T00:00:00Z' },
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2024-01-01T00:00:00Z' },
      ],
    },
  };
}

export interface Round {
  readonly stream: string;
  readonly xr: Manifest;
  readonly composed: Map<string, Manifest>;
  /** Each composed XR of this package (a spoke group, a spoke), rendered until settled in turn, by composition key. */
  readonly children: Map<string, readonly Round[]>;
}

/** A render the CLI refused, e.g. a Fatal from the function naming the field at fault. */
export class RenderFailure extends Error {
  constructor(
    readonly label: string,
    readonly round: number,
    readonly stderr: string,
  ) {
    super(`round ${round} of ${label} failed:\n${stderr}`);
  }
}

/**
 * Renders `xrFile`, then keeps rendering with the previous round's output as observed state
 * until no new composed resource appears (or `maxRounds`). A composed XR of this package is
 * rendered the same way, as Crossplane would reconcile it, and observed with the status it
 * settles to and Ready; an unchanged one is not rendered again. Returns every round.
 */
export async function reconcileUntilSettled(
  session: RenderSession,
  xrFile: string,
  options: { maxRounds?: number; extraArgs?: readonly string[]; label?: string; settledChildren?: Map<string, Promise<Round[]>> } = {},
): Promise<Round[]> {
  const maxRounds = options.maxRounds ?? 8;
  const extraArgs = options.extraArgs ?? [];
  // Settled children by their input, shared through the tree: a child whose input did not change is not rendered again.
  const settledChildren = options.settledChildren ?? new Map<string, Promise<Round[]>>();
  const work = mkdtempSync(join(tmpdir(), 'k8tre-reconcile-'));
  try {
    const rounds: Round[] = [];
    let input = xrFile;
    let observedDir: string | undefined;
    for (let i = 0; i < maxRounds; i++) {
      const result = await session.render(input, [...extraArgs, ...(observedDir ? ['--observed-resources', observedDir] : [])]);
      if (!result.ok) throw new RenderFailure(options.label ?? xrFile, i + 1, result.stderr);
      const rendered = toRound(result.stdout);
      const namespace = (rendered.xr.metadata as { namespace?: string }).namespace ?? 'default';
      // Crossplane reconciles XRs side by side: so are a round's children rendered (the session caps how many renders run).
      const children = [...rendered.composed].filter(([, manifest]) => isPackageXr(manifest));
      // Every child ends before this round's files go; the first failure, in the children's order, is the one told.
      const outcomes = await Promise.allSettled(
        children.map(([key, manifest]) => {
          const child = withoutRenderMetadata(manifest, namespace);
          const cacheKey = JSON.stringify(child);
          let childRounds = settledChildren.get(cacheKey);
          if (!childRounds) {
            const file = join(work, `child-${createHash('sha256').update(cacheKey).digest('hex').slice(0, 12)}.yaml`);
            writeFileSync(file, toCliInput(child));
            childRounds = reconcileUntilSettled(session, file, { maxRounds, label: `${options.label ?? xrFile} → ${key}`, settledChildren });
            settledChildren.set(cacheKey, childRounds);
          }
          return childRounds;
        }),
      );
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      children.forEach(([key], index) => rendered.children.set(key, (outcomes[index] as PromiseFulfilledResult<Round[]>).value));
      const previous = rounds.at(-1);
      rounds.push(rendered);
      const childrenSettled = [...rendered.children].every(([key, child]) => previous?.children.get(key) === child);
      if (previous && childrenSettled && [...rendered.composed.keys()].every((k) => previous.composed.has(k))) break;

      input = join(work, `xr-${i + 1}.yaml`);
      writeFileSync(input, toCliInput(rendered.xr));
      observedDir = writeObserved(rendered, join(work, `observed-${i + 1}`));
    }
    return rounds;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A composed resource that is one of this package's own XRs, which Crossplane composes in turn. */
export function isPackageXr(manifest: { apiVersion?: unknown }): boolean {
  return typeof manifest.apiVersion === 'string' && manifest.apiVersion.startsWith(`${GROUP}/`);
}

/** A child XR as its own input: without what render adds to a composed resource (owner, composite labels). */
function withoutRenderMetadata(manifest: Manifest, namespace: string): Manifest {
  const { name, labels } = manifest.metadata as { name: string; labels?: Record<string, string> };
  const own = Object.fromEntries(Object.entries(labels ?? {}).filter(([label]) => !label.startsWith('crossplane.io/')));
  const metadata = { name, namespace, labels: own } as Manifest['metadata'];
  return { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata, spec: manifest.spec };
}

/** A settled child XR as its parent observes it: its status, and Ready. */
function asObservedXr(rounds: readonly Round[], composed: Manifest): Manifest {
  const settled = lastRound(rounds).xr;
  const status = { ...((settled.status as Record<string, unknown> | undefined) ?? {}), conditions: READY_CONDITIONS };
  return { ...composed, status };
}

const READY_CONDITIONS = [
  { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2024-01-01T00:00:00Z' },
  { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2024-01-01T00:00:00Z' },
];

/** Every round's composed resources through the tree: the XR's own, then each child's, under `<child key>/`. */
export function treeComposed(round: Round, prefix = ''): Map<string, Manifest> {
  const all = new Map<string, Manifest>([...round.composed].map(([key, manifest]) => [`${prefix}${key}`, manifest]));
  for (const [key, rounds] of round.children) for (const [name, manifest] of treeComposed(lastRound(rounds), `${prefix}${key}/`)) all.set(name, manifest);
  return all;
}

/** The whole tree's YAML stream: the XR and its composed resources, then each child's stream. */
export function treeStream(round: Round): string {
  return [round.stream, ...[...round.children.values()].map((rounds) => treeStream(lastRound(rounds)))].join('\n---\n').replace(/\n---\n---\n/g, '\n---\n');
}

/** Writes a round's composed resources, as observed, for `--observed-resources`; returns the folder. */
export function writeObserved(round: Round, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, manifest] of round.composed) {
    const child = round.children.get(name);
    writeFileSync(join(dir, `${name}.yaml`), toCliInput(child ? asObservedXr(child, manifest) : asObserved(manifest)));
  }
  return dir;
}

export function lastRound(rounds: readonly Round[]): Round {
  const round = rounds.at(-1);
  if (!round) throw new Error('no rounds');
  return round;
}

export function toRound(stream: string): Round {
  const docs = parseStream(stream);
  const [xr, ...rest] = docs;
  if (!xr) throw new Error('render produced no XR');
  const composed = new Map<string, Manifest>();
  for (const doc of rest) {
    const name = resourceName(doc);
    if (name) composed.set(name, doc);
  }
  return { stream, xr, composed, children: new Map() };
}
