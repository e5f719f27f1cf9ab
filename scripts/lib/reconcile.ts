import { toKubernetesYaml } from './yaml.js';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { RenderSession } from './render-engine.js';
import { ROOT_CA } from '../../functions/k8tre/cluster/argocd-registration.js';

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
  if (manifest.kind === 'PublicIp' || manifest.kind === 'PublicIP') atProvider.ipAddress = '203.0.113.10';
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
  if (manifest.kind === 'Vault') atProvider.vaultUri = `https://${name}.vault.simulated.invalid/`;
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
 * until no new composed resource appears (or `maxRounds`). Returns every round.
 */
export async function reconcileUntilSettled(
  session: RenderSession,
  xrFile: string,
  options: { maxRounds?: number; extraArgs?: readonly string[]; label?: string } = {},
): Promise<Round[]> {
  const maxRounds = options.maxRounds ?? 8;
  const extraArgs = options.extraArgs ?? [];
  const work = mkdtempSync(join(tmpdir(), 'k8tre-reconcile-'));
  try {
    const rounds: Round[] = [];
    let input = xrFile;
    let observedDir: string | undefined;
    for (let i = 0; i < maxRounds; i++) {
      const result = await session.render(input, [...extraArgs, ...(observedDir ? ['--observed-resources', observedDir] : [])]);
      if (!result.ok) throw new RenderFailure(options.label ?? xrFile, i + 1, result.stderr);
      const round = toRound(result.stdout);
      const previous = rounds.at(-1);
      rounds.push(round);
      if (previous && [...round.composed.keys()].every((k) => previous.composed.has(k))) break;

      input = join(work, `xr-${i + 1}.yaml`);
      writeFileSync(input, toKubernetesYaml(round.xr));
      observedDir = writeObserved(round, join(work, `observed-${i + 1}`));
    }
    return rounds;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Writes a round's composed resources, as observed, for `--observed-resources`; returns the folder. */
export function writeObserved(round: Round, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, manifest] of round.composed) writeFileSync(join(dir, `${name}.yaml`), toKubernetesYaml(asObserved(manifest)));
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
  return { stream, xr, composed };
}
