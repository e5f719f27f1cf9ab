import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yaml from 'yaml';
import type * as Yaml from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiFilesByKind, kindOf } from '../../scripts/lib/package-index.js';

// Every render looks its Composition up by the XR's kind (scripts/lib/render-engine.ts). The
// index remembers each XRD's kind until the file changes: parsing the XRDs, schemas and all, on
// every render was a third of `npm start`'s own time.

vi.mock('yaml', async (original) => {
  const actual = await original<typeof Yaml>();
  return { ...actual, parseAllDocuments: vi.fn(actual.parseAllDocuments) };
});
const parses = () => vi.mocked(yaml.parseAllDocuments).mock.calls.length;

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function packageWith(apis: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8tre-package-index-'));
  dirs.push(dir);
  for (const [api, kind] of Object.entries(apis)) writeXrd(dir, api, kind);
  return dir;
}

function writeXrd(dir: string, api: string, kind: string): string {
  mkdirSync(join(dir, 'apis', api), { recursive: true });
  const file = join(dir, 'apis', api, 'definition.yaml');
  writeFileSync(file, `apiVersion: apiextensions.crossplane.io/v2\nkind: CompositeResourceDefinition\nspec:\n  names:\n    kind: ${kind}\n`);
  return file;
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

  it('parses an unchanged XRD once, however many renders ask', () => {
    const dir = packageWith({ network: 'XK8treNetwork' });
    apiFilesByKind(dir);
    const before = parses();
    for (let i = 0; i < 5; i++) expect([...apiFilesByKind(dir).keys()]).toEqual(['XK8treNetwork']);
    expect(parses()).toBe(before);
  });

  it('reads an XRD again once it changed, even to the same size with its old modification time: a long-lived session outlives a rebuild', () => {
    const dir = packageWith({ network: 'XK8treNetwork' });
    const file = join(dir, 'apis', 'network', 'definition.yaml');
    // A whole second, which every file system keeps exactly: the rewrite below gets it back as it was.
    const then = new Date('2026-01-01T00:00:00Z');
    utimesSync(file, then, then);
    expect([...apiFilesByKind(dir).keys()]).toEqual(['XK8treNetwork']);
    writeXrd(dir, 'network', 'XK8treNetworX');
    utimesSync(file, then, then);
    expect([...apiFilesByKind(dir).keys()]).toEqual(['XK8treNetworX']);
  });
});

describe("an XR's kind", () => {
  it('is read from JSON without the YAML parser, and from YAML with it', () => {
    const dir = packageWith({});
    writeFileSync(join(dir, 'xr.json.yaml'), '{"apiVersion":"k8tre.io/v1alpha1","kind":"XK8treNetwork"}\n');
    writeFileSync(join(dir, 'xr.yaml'), 'apiVersion: k8tre.io/v1alpha1\nkind: XK8treCluster\n');
    const before = parses();
    expect(kindOf(join(dir, 'xr.json.yaml'))).toBe('XK8treNetwork');
    expect(parses()).toBe(before);
    expect(kindOf(join(dir, 'xr.yaml'))).toBe('XK8treCluster');
    expect(parses()).toBe(before + 1);
  });

  it('is refused for a file of several XRs, JSON ones among them', () => {
    const dir = packageWith({});
    writeFileSync(join(dir, 'two.yaml'), '{"kind":"XK8treNetwork"}\n---\n{"kind":"XK8treCluster"}\n');
    expect(() => kindOf(join(dir, 'two.yaml'))).toThrow(/must hold exactly one XR/);
  });
});
