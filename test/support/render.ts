import { afterAll, beforeAll, expect } from 'vitest';
import { RenderSession } from '../../scripts/lib/render-engine.js';
import type { Manifest } from '../../scripts/lib/reconcile.js';
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

/** `forProvider` of a composed resource, typed loosely for assertions. */
export function forProvider(manifest: Manifest | undefined): Record<string, unknown> {
  const spec = manifest?.spec as { forProvider?: Record<string, unknown> } | undefined;
  if (!spec?.forProvider) throw new Error(`no forProvider in ${manifest?.metadata.name}`);
  return spec.forProvider;
}
