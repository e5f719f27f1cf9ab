import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { keys } from '../../functions/k8tre/cluster/naming.js';
import { PACKAGE_DIR } from '../../scripts/lib/paths.js';
import { condition, KubeError, waitFor, type KubeObject } from '../lib/kube.js';
import { COMPOSITE_LABEL } from '../lib/stand-in-provider.js';
import { RESOURCE_NAME_ANNOTATION } from '../../scripts/lib/reconcile.js';
import { cluster, describeConditions, NAMESPACE, network, type Platform } from '../platform.js';
import { NEW_ENVIRONMENT, withEnvironment } from './restart.js';
import { check, some, type Scenario } from './scenario.js';
import { checkNothingLost, compare, snapshot } from './snapshot.js';

// Issue 13's scenario 2. Day 2, live: an environment added and removed, Kubernetes one minor up; each changes only
// what it names. The destructive edits the XRDs' transition rules refuse are refused by the
// real API server at admission, with the XRD's message, and change nothing.

const ADDED_ENVIRONMENT = 'qa';

export const dayTwo: Scenario = {
  name: 'day-2',
  title: 'add and remove an environment, bump Kubernetes one minor, refuse destructive edits at admission',
  async run(platform, { facts }) {
    const start = await snapshot(platform);
    const networkWith =
      (...extra: string[]) =>
      (xr: KubeObject) =>
        extra.reduce((x, name) => withEnvironment(name)(x), xr);

    // Add: only the new environment's resources appear; no other moves.
    await platform.applyExample('examples/network/k8tre.yaml', networkWith(NEW_ENVIRONMENT, ADDED_ENVIRONMENT));
    await platform.waitReady([network('k8tre')], 10 * 60_000);
    const added = await snapshot(platform);
    const adding = compare(start, added);
    checkNothingLost(adding, `adding environment ${ADDED_ENVIRONMENT}`);
    const strangers = adding.added.filter((key) => !key.includes(`-${ADDED_ENVIRONMENT}`));
    if (adding.added.length === 0) check(false, `adding environment ${ADDED_ENVIRONMENT} composed nothing; the XRs say:\n  ${await treeConditions(platform)}`);
    check(strangers.length === 0, () => `adding environment ${ADDED_ENVIRONMENT} composed resources not named for it:\n  ${some(strangers)}`);

    // Remove: exactly what the addition composed goes, nothing else.
    await platform.applyExample('examples/network/k8tre.yaml', networkWith(NEW_ENVIRONMENT));
    await platform.waitReady([network('k8tre')], 10 * 60_000);
    await waitGone(platform, adding.added);
    const removed = compare(added, await snapshot(platform));
    check(
      JSON.stringify([...removed.removed].sort()) === JSON.stringify([...adding.added].sort()),
      () => `removing ${ADDED_ENVIRONMENT} deleted other than what adding it composed:\n  ${some(removed.removed.filter((k) => !adding.added.includes(k)))}`,
    );
    check(
      removed.replaced.length === 0 && removed.renamed.length === 0,
      () => `removing ${ADDED_ENVIRONMENT} replaced or renamed:\n  ${some([...removed.replaced, ...removed.renamed])}`,
    );

    // One Kubernetes minor up on dev: the cluster and its pools change in place.
    const beforeBump = await snapshot(platform);
    const aksBefore = await aks(platform, 'dev');
    const from = String((aksBefore?.spec as { forProvider: { kubernetesVersion: string } }).forProvider.kubernetesVersion);
    const to = nextMinor(from);
    await platform.applyExample('examples/cluster/dev.yaml', (xr) => ({ ...xr, spec: { ...(xr.spec as object), kubernetesVersion: to } }));
    await platform.waitReady([cluster('dev')], 10 * 60_000);
    const bumped = compare(beforeBump, await snapshot(platform));
    checkNothingLost(bumped, `bumping dev from ${from} to ${to}`);
    check(bumped.added.length === 0, () => `bumping Kubernetes composed new resources:\n  ${some(bumped.added)}`);
    const aksAfter = await aks(platform, 'dev');
    check(
      (aksAfter?.spec as { forProvider: { kubernetesVersion: string } }).forProvider.kubernetesVersion === to,
      `the dev AKS cluster asks for ${JSON.stringify((aksAfter?.spec as { forProvider: unknown }).forProvider)} after the bump to ${to}`,
    );
    check(
      bumped.changed.some((key) => key.startsWith('KubernetesCluster/')),
      'the bump did not change the AKS cluster',
    );

    const refusals = await refuseDestructiveEdits(platform, to);
    await refuseInFunction(platform);
    facts.dayTwo = {
      addedForEnvironment: adding.added.length,
      changedByAdding: adding.changed.length,
      changedByBump: bumped.changed.length,
      refusedAtAdmission: refusals,
    };
  },
};

/** Every XR's conditions and generations, to tell which of them reported Ready too early. */
async function treeConditions(platform: Platform): Promise<string> {
  return (await platform.xrs()).map((xr) => `${xr.kind}/${xr.metadata.name}: ${describeConditions(xr)}`).join('\n  ');
}

interface DestructiveEdit {
  readonly what: string;
  readonly example: string;
  readonly field: string;
  readonly change: (xr: KubeObject) => KubeObject;
}

const setSpec =
  (path: string[], value: unknown) =>
  (xr: KubeObject): KubeObject => {
    const copy = structuredClone(xr);
    let node = copy.spec as Record<string, unknown>;
    for (const step of path.slice(0, -1)) node = (node[step] ??= {}) as Record<string, unknown>;
    node[path.at(-1) ?? ''] = value;
    return copy;
  };

async function refuseDestructiveEdits(platform: Platform, kubernetesInForce: string): Promise<number> {
  const withUat = withEnvironment(NEW_ENVIRONMENT);
  const edits: DestructiveEdit[] = [
    { what: 'network region', example: 'examples/network/k8tre.yaml', field: 'region', change: (xr) => setSpec(['region'], 'westeurope')(withUat(xr)) },
    { what: 'cluster environment', example: 'examples/cluster/dev.yaml', field: 'environment', change: setSpec(['environment'], 'stg') },
    {
      what: 'cluster tenantId',
      example: 'examples/cluster/dev.yaml',
      field: 'tenantId',
      change: setSpec(['tenantId'], '99999999-9999-9999-9999-999999999999'),
    },
    {
      what: 'cluster serviceCidr',
      example: 'examples/cluster/dev.yaml',
      field: 'serviceCidr',
      change: setSpec(['networking', 'serviceCidr'], '10.200.0.0/16'),
    },
    {
      what: 'a Kubernetes downgrade',
      example: 'examples/cluster/dev.yaml',
      field: 'kubernetesVersion',
      change: setSpec(['kubernetesVersion'], previousMinor(kubernetesInForce)),
    },
  ];
  const keepVersion = (xr: KubeObject) => (xr.metadata.name === 'dev' ? setSpec(['kubernetesVersion'], kubernetesInForce)(xr) : xr);
  for (const edit of edits) {
    const target = edit.example.includes('network') ? network('k8tre') : cluster('dev');
    const before = await platform.xr(target);
    let refusal: KubeError | undefined;
    try {
      await platform.applyExample(edit.example, (xr) => edit.change(keepVersion(xr)));
    } catch (error) {
      if (!(error instanceof KubeError)) throw error;
      refusal = error;
    }
    check(refusal?.code === 422, `the API server accepted a change of ${edit.what}${refusal ? ` (answered ${refusal.code}: ${refusal.message})` : ''}`);
    const expected = transitionMessages(edit.example.includes('network') ? 'network' : 'cluster', edit.field);
    check(
      expected.some((message) => refusal.message.includes(message)),
      `the refusal of ${edit.what} does not carry the XRD's message:\n  got: ${refusal.message}\n  expected one of: ${expected.join(' | ')}`,
    );
    const after = await platform.xr(target);
    check(after?.metadata.generation === before?.metadata.generation, `the refused change of ${edit.what} still changed the XR`);
  }
  return edits.length;
}

/**
 * A field the example leaves to its default passes admission when first set (a transition
 * rule sees no old value), so the function refuses it from what Crossplane observes: the XR
 * goes Synced=False naming the field, nothing is deleted, and undoing the edit recovers it.
 */
async function refuseInFunction(platform: Platform): Promise<void> {
  const before = await snapshot(platform);
  const withUat = withEnvironment(NEW_ENVIRONMENT);
  await platform.applyExample('examples/network/k8tre.yaml', (xr) => setSpec(['resourceGroupName'], 'rg-elsewhere')(withUat(xr)));
  const refused = await waitFor(
    'the function to refuse a new resourceGroupName',
    async () => {
      const xr = await platform.xr(network('k8tre'));
      const synced = condition(xr, 'Synced');
      return synced?.status === 'False' && synced.message?.includes('resourceGroupName') ? synced.message : undefined;
    },
    3 * 60_000,
  );
  checkNothingLost(compare(before, await snapshot(platform)), `the refused resourceGroupName (${refused})`);
  await platform.applyExample('examples/network/k8tre.yaml', withUat);
  await platform.waitReady([network('k8tre')], 5 * 60_000);
}

/**
 * The heads of the XRD's transition-rule messages for a field, as the server words them:
 * "<field> cannot change" whether from `message` or its `messageExpression`.
 */
export function transitionMessages(api: 'network' | 'cluster', field: string): string[] {
  const file = join(PACKAGE_DIR, 'apis', api, 'definition.yaml');
  const messages: string[] = [];
  const visit = (node: unknown, name: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    const rules = record['x-kubernetes-validations'];
    if (name === field && Array.isArray(rules)) {
      for (const rule of rules as { rule: string; message?: string }[])
        if (rule.rule.includes('oldSelf') && rule.message) messages.push(rule.message.split(':')[0] ?? rule.message);
    }
    for (const [key, value] of Object.entries(record.properties ?? {})) visit(value, key);
    for (const [key, value] of Object.entries(record)) if (key !== 'properties' && typeof value === 'object') visit(value, name);
  };
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) visit(doc.toJS(), '');
  if (messages.length === 0) throw new Error(`${file} has no transition rule on ${field}`);
  return [...new Set(messages)];
}

async function aks(platform: Platform, xr: string): Promise<KubeObject | undefined> {
  const list = await platform.admin.list('containerservice.azure.m.upbound.io/v1beta1', 'KubernetesCluster', NAMESPACE, `${COMPOSITE_LABEL}=${xr}`);
  return list.find((o) => o.metadata.annotations?.[RESOURCE_NAME_ANNOTATION] === keys.cluster);
}

async function waitGone(platform: Platform, keysGone: readonly string[]): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const now = await snapshot(platform);
    if (keysGone.every((key) => !now.has(key))) return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`resources were not deleted within 5 minutes`);
}

function nextMinor(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${(minor ?? 0) + 1}`;
}

function previousMinor(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${(minor ?? 0) - 1}`;
}
