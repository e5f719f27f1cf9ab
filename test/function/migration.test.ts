import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ORPHANING_POLICIES } from '../../functions/k8tre/lib/adoption.js';
import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { runAsCrossplane, type Json } from '../../scripts/lib/in-process.js';
import { asObserved, isPackageXr, parseStream, RESOURCE_NAME_ANNOTATION, type Manifest } from '../../scripts/lib/reconcile.js';
import { azureName, keyOf, upgradeInProcess } from '../support/upgrade.js';

// A network composed before spokes were XRs of their own moves onto the tree with nothing in Azure
// deleted, renamed or changed. Crossplane deletes a composed resource that leaves the desired
// state, and its provider deletes it in Azure unless its management policies leave out Delete: so
// no resource may leave while its observed policies allow Delete, and every one must come back,
// under its spoke, with the Azure name and settings it had.
//
// Crossplane's loop is played by test/support/upgrade.ts.

const [legacyXr, ...legacyResources] = parseStream(readFileSync('test/fixtures/network-before-spokes.yaml', 'utf8'));
const withoutKey = (manifest: Manifest): Manifest => {
  const annotations = Object.fromEntries(Object.entries(manifest.metadata.annotations ?? {}).filter(([name]) => name !== RESOURCE_NAME_ANNOTATION));
  return { ...manifest, metadata: { ...manifest.metadata, annotations } };
};

/**
 * A resource as its provider reports it: Upjet names a resource Azure named (an association) by its
 * ID, in the external-name annotation, once it has created it.
 */
function asReported(legacy: Manifest): Json {
  const observed = asObserved(withoutKey(legacy));
  const id = (observed.status as { atProvider: { id: string } }).atProvider.id;
  const annotations = { [EXTERNAL_NAME]: id, ...observed.metadata.annotations };
  return { ...observed, metadata: { ...observed.metadata, annotations } };
}

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;

function upgrade() {
  const { rounds, final, tree } = upgradeInProcess(
    legacyXr as unknown as Json,
    Object.fromEntries(legacyResources.map((m) => [keyOf(m), asReported(m)])),
    observe,
  );
  return {
    rounds,
    final,
    tree,
    deleted: rounds.flatMap((round, i) => round.deleted.map((deletion) => ({ ...deletion, round: i + 1 }))),
    /** Azure resources managed by two objects at once, by round: the old one and its spoke's. */
    twice: rounds.map((round) => claimedTwice(Object.values(round.tree))),
  };
}

const legacyAll = legacyResources as unknown as Json[];

/**
 * Where an Azure name is unique: the zone a DNS link is in, the VNet a subnet or peering is in,
 * by name or by reference to a resource among `all`; '' for names unique in their group.
 */
function scopeOf(manifest: Json, all: readonly Json[]): string {
  const fields = (manifest.spec as { forProvider?: Record<string, unknown> } | undefined)?.forProvider ?? {};
  for (const parent of ['privateDnsZoneName', 'virtualNetworkName']) {
    const ref = (fields[`${parent}Ref`] as { name?: string } | undefined)?.name;
    const named = ref ? azureName(all.find((m) => (m.metadata as { name: string }).name === ref) ?? {}) : fields[parent];
    if (typeof named === 'string') return named;
  }
  return '';
}

/** forProvider without what references resolve to: the same in Azure whether set by reference or by name. */
function settings(manifest: Json): Json {
  const resolved = [
    'resourceGroupName',
    'virtualNetworkName',
    'privateDnsZoneName',
    'remoteVirtualNetworkId',
    'virtualNetworkId',
    'subnetId',
    'networkSecurityGroupId',
    'routeTableId',
  ];
  const fields = (manifest.spec as { forProvider: Json }).forProvider;
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !name.endsWith('Ref') && !resolved.includes(name)));
}

/** Azure resources two managed resources of `all` name: the same kind, name and parent. */
function claimedTwice(all: readonly Json[]): string[] {
  const counts = new Map<string, number>();
  for (const m of all.filter((m) => !isPackageXr(m as { apiVersion?: unknown }) && azureName(m))) {
    // Subnets share names across VNets and DNS links across zones: the parent tells them apart.
    const claim = `${String(m.kind)} ${azureName(m)} ${scopeOf(m, all)}`;
    counts.set(claim, (counts.get(claim) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([claim]) => claim);
}

/** The old resources as observed once step 1 is: those that move, with policies without Delete. */
function withOrphaningPolicies(moved: readonly Manifest[]): Record<string, Json> {
  return Object.fromEntries(
    legacyResources.map((m) => {
      const reported = asReported(m);
      return [keyOf(m), moved.includes(m) ? { ...reported, spec: { ...(reported.spec as Json), managementPolicies: ORPHANING_POLICIES } } : reported];
    }),
  );
}

describe('upgrading a network composed before spokes were XRs', () => {
  const result = upgrade();
  const legacyKeys = legacyResources.map(keyOf);
  const moved = legacyResources.filter((m) => !(keyOf(m) in result.final));

  it('first gives every resource that moves management policies without Delete, and composes no spoke yet', () => {
    const first = result.rounds[0]!.desired;
    const held = Object.entries(first).filter(([, m]) => (m.spec as { managementPolicies?: unknown }).managementPolicies !== undefined);
    expect(moved.length).toBeGreaterThan(100);
    expect(new Set(held.map(([key]) => key))).toEqual(new Set(moved.map(keyOf)));
    for (const [key, m] of held) expect((m.spec as { managementPolicies: unknown }).managementPolicies, key).toEqual(ORPHANING_POLICIES);
    expect(Object.keys(first).filter((key) => key.startsWith('spokes-'))).toEqual([]);
  });

  it('lets no resource go while its observed policies allow Delete', () => {
    expect(result.deleted.map((d) => d.key).sort()).toEqual(moved.map(keyOf).sort());
    for (const deletion of result.deleted) expect(deletion.policies, deletion.key).toEqual(ORPHANING_POLICIES);
    // All at once, two reconciles after the one that set the policies: the paused spokes came between.
    expect(new Set(result.deleted.map((d) => d.round))).toEqual(new Set([3]));
  });

  it('keeps what stays in the network as it was: same keys, same Azure names', () => {
    for (const key of legacyKeys.filter((k) => k in result.final)) {
      expect(azureName(result.final[key]!), key).toBe(legacyResources.find((m) => keyOf(m) === key)?.metadata.annotations?.[EXTERNAL_NAME]);
    }
  });

  it('brings every moved resource back under its spoke with the Azure name and settings it had', () => {
    const adopted = Object.values(result.tree).filter((m) => !isPackageXr(m as { apiVersion?: unknown }));
    for (const legacy of moved) {
      const name = azureName(asReported(legacy));
      const twins = adopted.filter(
        (m) => m.kind === legacy.kind && azureName(m) === name && name !== undefined && scopeOf(m, adopted) === scopeOf(legacy as unknown as Json, legacyAll),
      );
      expect(twins, `${keyOf(legacy)} (${legacy.kind} ${name})`).toHaveLength(1);
      expect(settings(twins[0]!), keyOf(legacy)).toEqual(settings(legacy as unknown as Json));
    }
  });

  it('holds every resource, and composes no spoke, while what the spokes name is not ready', () => {
    // Step 1 is observed, but the resource group reports not Ready, so a new group would wait.
    const orphaning = withOrphaningPolicies(moved);
    const group = orphaning['resource-group']!;
    orphaning['resource-group'] = { ...group, status: { ...(group.status as Json), conditions: [{ type: 'Ready', status: 'False', reason: 'Creating' }] } };
    const rsp = runAsCrossplane(legacyXr as unknown as Json, {}, orphaning);
    const desired = Object.keys(rsp.desired?.resources ?? {});
    expect(desired.filter((key) => key.startsWith('spokes-'))).toEqual([]);
    for (const legacy of moved) expect(desired, keyOf(legacy)).toContain(keyOf(legacy));
  });

  it('hands over only to a spoke observed, paused, with every name, and keeps telling it every name', () => {
    // Crossplane was seen, live, calling the network again before a group it had just composed could
    // be observed, while some old resources were still being deleted. Told fewer names, a spoke would
    // drop the rest (server-side apply removes what its writer no longer sets).
    const orphaned = withOrphaningPolicies(moved);
    type Told = { spokes: { paused?: boolean; spec: { environment: string; externalNames?: object } }[] };
    const told = (rsp: ReturnType<typeof runAsCrossplane>) =>
      Object.fromEntries(
        ((rsp.desired?.resources['spokes-1']?.resource?.spec as Told | undefined)?.spokes ?? []).map((s) => [
          s.spec.environment,
          `${s.paused ? 'paused' : 'running'}, ${Object.keys(s.spec.externalNames ?? {}).length} names`,
        ]),
      );
    const desiredKeys = (rsp: ReturnType<typeof runAsCrossplane>) => Object.keys(rsp.desired?.resources ?? {});
    // The spokes appear paused, with every name, while the old resources are still held.
    const paused = runAsCrossplane(legacyXr as unknown as Json, {}, orphaned);
    expect(told(paused).dev).toBe('paused, 37 names');
    expect(desiredKeys(paused)).toContain('spoke-dev-vnet');
    // Observed so, the old resources go and the spokes run, with the same names.
    const group = { ...(paused.desired?.resources['spokes-1']?.resource as Json), status: { conditions: [] } };
    const handover = runAsCrossplane(legacyXr as unknown as Json, {}, { ...orphaned, 'spokes-1': group });
    expect(told(handover).dev).toBe('running, 37 names');
    expect(desiredKeys(handover)).not.toContain('spoke-dev-vnet');
    // Half the old resources still being deleted, and an XR status from before: the names stay whole.
    const halfGone = Object.fromEntries(Object.entries(orphaned).filter(([key], i) => !moved.some((m) => keyOf(m) === key) || i % 2 === 0));
    const running = { ...(handover.desired?.resources['spokes-1']?.resource as Json), status: { conditions: [] } };
    const next = runAsCrossplane(legacyXr as unknown as Json, {}, { ...halfGone, 'spokes-1': running });
    expect(told(next)).toEqual(told(handover));
  });

  it('manages no Azure resource by two objects in any reconcile: the paused spokes compose nothing', () => {
    expect(result.rounds.length).toBeGreaterThan(3);
    for (const [i, claims] of result.twice.entries()) expect(claims, `round ${i + 1}`).toEqual([]);
  });
});
