import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { RenderSession } from '../../scripts/lib/render-engine.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { asObserved, lastRound, reconcileUntilSettled, treeComposed, writeObserved, type Manifest, type Round } from '../../scripts/lib/reconcile.js';
import { validateStream } from '../../scripts/lib/validate.js';

/** One function process and CLI session for a test file; stopped when the file is done. */
export function useRenderSession(): () => RenderSession {
  let session: RenderSession | undefined;
  beforeAll(async () => {
    session = await RenderSession.start();
  });
  afterAll(() => session?.stop());
  return () => {
    if (!session) throw new Error('render session not started');
    return session;
  };
}

/** Asserts the stream passes `crossplane resource validate` with no errors and no missing schemas. */
export async function expectValid(stream: string): Promise<void> {
  const result = await validateStream(stream);
  expect(result.stdout + result.stderr).toMatch(/0 missing schemas/);
  expect(result.stdout + result.stderr).toMatch(/, 0 failure cases/);
  expect(result.ok, result.stdout + result.stderr).toBe(true);
}

export { byName, forProvider } from './manifest.js';

/** A value of `status.atProvider` as the simulated provider reports it for this resource. */
export function observedAt(manifest: Manifest | undefined, ...path: string[]): unknown {
  if (!manifest) throw new Error('no such composed resource');
  let value: unknown = (asObserved(manifest).status as { atProvider: unknown }).atProvider;
  for (const step of path) value = (value as Record<string, unknown>)[step];
  return value;
}

/**
 * Reconciles a network XR until settled (optionally starting from a previous round as
 * observed state) and writes the settled XR to `<dir>/<name>.yaml`, ready to pass to a
 * cluster as `--required-resources`.
 */
export async function settleNetwork(session: RenderSession, xr: string | Manifest, dir: string, name: string, observedFrom?: Round): Promise<Round> {
  const input = typeof xr === 'string' ? xr : join(dir, `${name}.input.yaml`);
  if (typeof xr !== 'string') writeFileSync(input, toKubernetesYaml(xr));
  const args = observedFrom ? ['--observed-resources', writeObserved(observedFrom, join(dir, `${name}-observed`))] : [];
  const settled = lastRound(await reconcileUntilSettled(session, input, { extraArgs: args }));
  writeFileSync(join(dir, `${name}.yaml`), toKubernetesYaml(settled.xr));
  return settled;
}

/** The Usages of a round as `<of kind>/<of name> used by <by kind>/<by name>`, with replayDeletion checked. */
export function usages(round: Round): string[] {
  return [...round.composed.values()]
    .filter((manifest) => manifest.kind === 'Usage')
    .map((manifest) => {
      const spec = manifest.spec as { of: UsageEnd; by: UsageEnd; replayDeletion?: boolean };
      expect(spec.replayDeletion, manifest.metadata.name).toBe(true);
      return `${spec.of.kind}/${spec.of.resourceRef.name} used by ${spec.by.kind}/${spec.by.resourceRef.name}`;
    })
    .sort();
}

interface UsageEnd {
  kind: string;
  resourceRef: { name: string };
}

/** An environment's spoke in a settled network's tree, by the spoke's composition key. */
export function spokeOf(round: Round, environment: string): Map<string, Manifest> {
  const pattern = new RegExp(`^spokes-[0-9]+/${environment}/(.+)$`);
  return new Map(
    [...treeComposed(round)].flatMap(([name, manifest]): [string, Manifest][] => {
      const key = pattern.exec(name)?.[1];
      return key ? [[key, manifest]] : [];
    }),
  );
}

/** Every round of an XR and of the XRs it composed, to validate as a whole. */
export function treeRounds(rounds: readonly Round[]): Round[] {
  return rounds.flatMap((round) => [round, ...[...round.children.values()].flatMap((child) => treeRounds(child))]);
}
