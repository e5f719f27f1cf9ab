import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiFilesByKind } from '../../scripts/lib/package-index.js';

// Every render looks its Composition up by the XR's kind (scripts/lib/render-engine.ts); the
// index remembers each XRD's kind until the file changes.

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function packageWith(apis: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8tre-package-index-'));
  dirs.push(dir);
  for (const [api, kind] of Object.entries(apis)) writeXrd(dir, api, kind);
  return dir;
}

function writeXrd(dir: string, api: string, kind: string): void {
  mkdirSync(join(dir, 'apis', api), { recursive: true });
  writeFileSync(
    join(dir, 'apis', api, 'definition.yaml'),
    `apiVersion: apiextensions.crossplane.io/v2\nkind: CompositeResourceDefinition\nspec:\n  names:\n    kind: ${kind}\n`,
  );
}

describe('the package index', () => {
  it('finds each API by the kind its XRD serves, with the Composition beside it', () => {
    const dir = packageWith({ network: 'XK8treNetwork', cluster: 'XK8treCluster' });
    expect(apiFilesByKind(dir).get('XK8treCluster')).toEqual({
      definition: join(dir, 'apis', 'cluster', 'definition.yaml'),
      composition: join(dir, 'apis', 'cluster', 'composition.yaml'),
    });
    expect([...apiFilesByKind(dir).keys()].sort()).toEqual(['XK8treCluster', 'XK8treNetwork']);
  });

  it('reads an XRD again once it changed: a long-lived session outlives a rebuild of the package', () => {
    const dir = packageWith({ network: 'XK8treNetwork' });
    expect([...apiFilesByKind(dir).keys()]).toEqual(['XK8treNetwork']);
    writeXrd(dir, 'network', 'XK8treNetworkRenamed');
    expect([...apiFilesByKind(dir).keys()]).toEqual(['XK8treNetworkRenamed']);
  });
});
