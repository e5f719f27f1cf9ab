import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { expect } from 'vitest';
import { PAUSED } from '../../functions/k8tre/lib/adoption.js';
import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { fatalMessage, reconcileInProcess, runAsCrossplane, treeResources, type Json } from '../../scripts/lib/in-process.js';
import { asObserved, isPackageXr, parseStream, RESOURCE_NAME_ANNOTATION, type Manifest } from '../../scripts/lib/reconcile.js';

// Crossplane's loop, played for an XR composed by an earlier version: each answer is applied
// (desired becomes observed, as `observe` reports it; a composed XR is reconciled in turn, with its
// own children, and observed with its status unless paused), and whatever was observed but is no
// longer desired is deleted, with the policies it had. The migration tests read every round.

export interface UpgradeRound {
  readonly desired: Record<string, Json>;
  readonly status: Json;
  readonly deleted: { readonly key: string; readonly policies: unknown }[];
  /** The conditions the function reported on the XR. */
  readonly conditions: RunFunctionResponse['conditions'];
  /** Every object of the tree after the round: the XR's own by key, its children's as `<key>/<key>`. */
  readonly tree: Record<string, Json>;
}

export interface Upgrade {
  readonly rounds: UpgradeRound[];
  readonly final: Record<string, Json>;
  readonly tree: Record<string, Json>;
}

export const policiesOf = (manifest: Json | undefined) => (manifest?.spec as { managementPolicies?: unknown } | undefined)?.managementPolicies;

export function upgradeInProcess(
  legacyXr: Json,
  before: Record<string, Json>,
  observe: (manifest: Json) => Json,
  required: Record<string, Json[]> = {},
): Upgrade {
  let xr = legacyXr;
  let observed = before;
  const rounds: UpgradeRound[] = [];
  for (let round = 1; round <= 8; round++) {
    const rsp = runAsCrossplane(xr, required, observed);
    expect(fatalMessage(rsp), `round ${round}`).toBeUndefined();
    const desired = Object.fromEntries(Object.entries(rsp.desired?.resources ?? {}).map(([key, r]) => [key, r.resource as Json]));
    const deleted = Object.entries(observed)
      .filter(([key]) => !(key in desired))
      .map(([key, was]) => ({ key, policies: policiesOf(was) }));
    const children = new Map<string, ReturnType<typeof reconcileInProcess>>();
    const next = Object.fromEntries(
      Object.entries(desired).map(([key, manifest]): [string, Json] => {
        if (!isPackageXr(manifest)) return [key, observe(manifest)];
        // Crossplane reconciles no paused XR: it is observed as composed, not Ready.
        if ((manifest.metadata as { annotations?: Record<string, string> }).annotations?.[PAUSED]) return [key, manifest];
        const child = reconcileInProcess({ ...manifest, metadata: { namespace: 'k8tre', ...(manifest.metadata as Json) } }, {}, observe);
        children.set(key, child);
        return [key, { ...child.xr, status: { ...(child.xr.status as Json), conditions: [{ type: 'Ready', status: 'True' }] } }];
      }),
    );
    const stable = JSON.stringify(Object.keys(next).sort()) === JSON.stringify(Object.keys(observed).sort());
    observed = next;
    const status = rsp.desired?.composite?.resource?.status as Json;
    xr = { ...xr, status };
    const tree = Object.assign({}, observed, ...[...children].map(([key, child]) => treeResources(child, `${key}/`))) as Record<string, Json>;
    rounds.push({ desired, status, deleted, tree, conditions: rsp.conditions });
    if (stable && round > 2) return { rounds, final: observed, tree };
  }
  throw new Error('the upgrade did not settle in 8 reconciles');
}

export const keyOf = (manifest: Manifest) => manifest.metadata.annotations?.[RESOURCE_NAME_ANNOTATION] ?? '';
export const azureName = (manifest: Json) => ((manifest.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {})[EXTERNAL_NAME];

const uuid = (seed: string) => {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/**
 * As the simulated providers report a resource, with what Azure ties to the resource rather than
 * to its Kubernetes object: an ID that follows its Azure name, an identity's principal and client
 * IDs, and for a role assignment the name the provider gave it: its Azure ID, as Upjet names role
 * assignments (provider-upjet-azure config/externalname.go: IdentifierFromProvider).
 */
export function observeAsAzure(manifest: Json): Json {
  const reported = asObserved(manifest as Manifest) as Json;
  const atProvider = (reported.status as { atProvider: Record<string, unknown> }).atProvider;
  const name = azureName(manifest);
  if (manifest.kind === 'RoleAssignment') {
    const scope = String((manifest.spec as { forProvider: { scope: string } }).forProvider.scope);
    const id = name ?? `${scope}/providers/Microsoft.Authorization/roleAssignments/${uuid(`role-assignment/${(manifest.metadata as { name: string }).name}`)}`;
    const metadata = reported.metadata as { annotations?: Record<string, string> };
    reported.metadata = { ...metadata, annotations: { ...metadata.annotations, [EXTERNAL_NAME]: id } };
    atProvider.id = id;
  } else if (name) atProvider.id = String(atProvider.id).replace(/[^/]+$/, name);
  if (manifest.kind === 'UserAssignedIdentity') {
    atProvider.principalId = uuid(`principal/${name}`);
    atProvider.clientId = uuid(`client/${name}`);
  }
  return reported;
}

/** A fixture of an XR an earlier version composed (the XR, then its resources keyed by composition-resource-name), as observed. */
export function loadLegacy(path: string): { xr: Json; resources: Manifest[]; observed: Record<string, Json> } {
  const [xr, ...resources] = parseStream(readFileSync(path, 'utf8'));
  const observed = Object.fromEntries(
    resources.map((m) => {
      const annotations = Object.fromEntries(Object.entries(m.metadata.annotations ?? {}).filter(([name]) => name !== RESOURCE_NAME_ANNOTATION));
      return [keyOf(m), observeAsAzure({ ...m, metadata: { ...m.metadata, annotations } })];
    }),
  );
  return { xr: xr as unknown as Json, resources, observed };
}

/** Azure resources (kind and name) that two objects of a tree manage. */
export function claimedTwice(tree: Record<string, Json>): string[] {
  const counts = new Map<string, number>();
  for (const m of Object.values(tree).filter((m) => !isPackageXr(m as { apiVersion?: unknown }) && azureName(m))) {
    const claim = `${String(m.kind)} ${azureName(m)}`;
    counts.set(claim, (counts.get(claim) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([claim]) => claim);
}

/** forProvider without what references resolve to: the same in Azure whether set by reference or by name. */
export function settings(manifest: Json): Json {
  const fields = (manifest.spec as { forProvider: Json }).forProvider;
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !name.endsWith('Ref') && name !== 'resourceGroupName'));
}
