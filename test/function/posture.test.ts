import { describe, expect, it } from 'vitest';
import { patterns } from '../../functions/k8tre/cluster/api.js';
import { REGION_UTC_OFFSETS, windowOffset } from '../../functions/k8tre/cluster/maintenance.js';
import { desired, runWithRequired, settledDevCluster, withField, type Json } from '../support/function.js';

// The AKS baseline's posture on every cluster (cluster/aks.ts, host-encryption.ts,
// maintenance.ts): no run command, Image Cleaner, encryption at host and weekend-night
// maintenance windows; and a live cluster made before them keeps its nodes.

const dev = settledDevCluster();
const forProvider = (manifest: Json) => (manifest.spec as { forProvider: Json }).forProvider;
const aksOf = (xr: Json, observed: Record<string, Json> = dev.observed) => forProvider(desired(runWithRequired(xr, dev.required, observed), 'aks'));
const userPoolOf = (xr: Json, observed: Record<string, Json> = dev.observed) =>
  forProvider(desired(runWithRequired(xr, dev.required, observed), 'nodepool-workload'));
const hostEncryption = (xr: Json, observed?: Record<string, Json>) => ({
  system: (aksOf(xr, observed).defaultNodePool as Json).hostEncryptionEnabled,
  workload: userPoolOf(xr, observed).hostEncryptionEnabled,
});

/** The observed cluster as a version before host encryption composed it: the field absent on both pools. */
function composedBeforeHostEncryption(): Record<string, Json> {
  const observed = structuredClone(dev.observed);
  delete (forProvider(observed.aks!).defaultNodePool as Json).hostEncryptionEnabled;
  delete forProvider(observed['nodepool-workload']!).hostEncryptionEnabled;
  return observed;
}

describe('the posture of a new cluster', () => {
  const aks = aksOf(dev.xr);

  it('has no run command, a path around Kubernetes RBAC and audit', () => {
    expect(aks.runCommandEnabled).toBe(false);
  });

  it("runs Image Cleaner weekly, AKS's default interval", () => {
    expect(aks).toMatchObject({ imageCleanerEnabled: true, imageCleanerIntervalHours: 168 });
  });

  it("upgrades patches on Saturday nights and node images on Sunday nights, in the region's time (uksouth: UTC)", () => {
    expect(aks.maintenanceWindowAutoUpgrade).toEqual({
      frequency: 'Weekly',
      interval: 1,
      dayOfWeek: 'Saturday',
      startTime: '01:00',
      duration: 6,
      utcOffset: '+00:00',
    });
    expect(aks.maintenanceWindowNodeOs).toEqual({
      frequency: 'Weekly',
      interval: 1,
      dayOfWeek: 'Sunday',
      startTime: '01:00',
      duration: 6,
      utcOffset: '+00:00',
    });
  });

  it('encrypts every pool at host', () => {
    expect(hostEncryption(dev.xr)).toEqual({ system: true, workload: true });
  });
});

describe('what the XR says', () => {
  const cases: { name: string; field: string; value: unknown; expect: (aks: Json) => void }[] = [
    {
      name: 'an operator who needs run command can have it back',
      field: 'spec.security',
      value: { runCommand: true },
      expect: (aks) => expect(aks.runCommandEnabled).toBe(true),
    },
    {
      name: "a window's own offset wins over the region's",
      field: 'spec.maintenance',
      value: { nodeOs: { dayOfWeek: 'Wednesday', startTime: '22:30', durationHours: 4, utcOffset: '+05:30' } },
      expect: (aks) => {
        expect(aks.maintenanceWindowNodeOs).toMatchObject({ dayOfWeek: 'Wednesday', startTime: '22:30', duration: 4, utcOffset: '+05:30' });
        expect(aks.maintenanceWindowAutoUpgrade).toMatchObject({ dayOfWeek: 'Saturday' });
      },
    },
  ];
  for (const c of cases) it(c.name, () => c.expect(aksOf(withField(dev.xr, c.field, c.value))));
});

describe('encryption at host', () => {
  it('leaves a live pool that was never told to what Azure has: turning it on replaces every node, so an upgrade of the package must not', () => {
    expect(hostEncryption(dev.xr, composedBeforeHostEncryption())).toEqual({ system: undefined, workload: undefined });
  });

  it('keeps what a live pool has in force', () => {
    const observed = composedBeforeHostEncryption();
    forProvider(observed['nodepool-workload']!).hostEncryptionEnabled = false;
    expect(hostEncryption(dev.xr, observed)).toMatchObject({ workload: false });
  });

  it('is turned on for a live pool only when the XR says so', () => {
    const xr = withField(dev.xr, 'spec.systemPool', { hostEncryption: true });
    expect(hostEncryption(xr, composedBeforeHostEncryption())).toEqual({ system: true, workload: undefined });
  });

  it('is off for a pool whose VM size lacks it, and only that pool', () => {
    const pools = (dev.xr.spec as { nodePools: Json[] }).nodePools.map((pool) => ({ ...pool, hostEncryption: false }));
    expect(hostEncryption(withField(dev.xr, 'spec.nodePools', pools))).toEqual({ system: true, workload: false });
  });
});

describe("a region's standard time", () => {
  const window = { dayOfWeek: 'Saturday', startTime: '01:00', durationHours: 6 } as const;
  it.each([
    ['uksouth', '+00:00'],
    ['westeurope', '+01:00'],
    ['centralindia', '+05:30'],
    ['westus2', '-08:00'],
  ])('%s is %s', (region, offset) => expect(windowOffset(window, region)).toBe(offset));

  it('is UTC for a region Azure opened after the list, which the XR can correct', () => {
    expect(windowOffset(window, 'newregion')).toBe('+00:00');
    expect(windowOffset({ ...window, utcOffset: '-03:00' }, 'newregion')).toBe('-03:00');
  });

  it('is an offset AKS takes for every region a network accepts', () => {
    for (const offset of Object.values(REGION_UTC_OFFSETS)) expect(offset).toMatch(patterns.utcOffset.pattern);
  });
});
