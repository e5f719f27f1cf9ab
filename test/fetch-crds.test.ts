import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdsDir, ROOT } from '../scripts/lib/paths.js';

// scripts/fetch-crds.mjs (used where ../shared/crds is absent, e.g. on GitHub) against a local
// server that answers like raw.githubusercontent.com from ../shared/crds: it must rebuild the
// same folder, and refuse a file whose bytes are not the pinned ones.

interface Source {
  dir: string;
  repository: string;
  commit: string;
  path: string;
  files: Record<string, string>;
}
const { sources } = JSON.parse(readFileSync(join(ROOT, 'scripts', 'crd-sources.json'), 'utf8')) as { sources: Source[] };

let server: Server;
let baseUrl: string;
let tamper = false;
beforeAll(async () => {
  server = createServer((request, response) => {
    const source = sources.find((s) => request.url?.startsWith(`/${s.repository}/${s.commit}/${s.path}/`));
    const file = request.url?.split('/').at(-1) ?? '';
    if (!source || !(file in source.files)) return void response.writeHead(404).end();
    const bytes = readFileSync(join(crdsDir(), source.dir, file));
    response.writeHead(200).end(tamper ? Buffer.concat([bytes, Buffer.from('# changed\n')]) : bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => server.close());

/** A loopback address nothing listens on: a port the system gave and took back. */
async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

const fetchInto = (dir: string) =>
  promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'fetch-crds.mjs'), dir], { env: { ...process.env, K8TRE_CRDS_BASE_URL: baseUrl } });

describe('scripts/fetch-crds.mjs', () => {
  it('rebuilds the CRD folder file for file, with a provenance table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8tre-crds-'));
    tamper = false;
    await fetchInto(dir);
    for (const source of sources) {
      expect(readdirSync(join(dir, source.dir)).sort()).toEqual(readdirSync(join(crdsDir(), source.dir)).sort());
      for (const file of Object.keys(source.files))
        expect(readFileSync(join(dir, source.dir, file)).equals(readFileSync(join(crdsDir(), source.dir, file))), file).toBe(true);
    }
    expect(readFileSync(join(dir, 'SOURCES.md'), 'utf8')).toContain('| `provider-azure/` | github.com/crossplane-contrib/provider-upjet-azure | `v2.7.0` |');
  });

  it('refuses bytes that are not the pinned ones', async () => {
    tamper = true;
    await expect(fetchInto(mkdtempSync(join(tmpdir(), 'k8tre-crds-')))).rejects.toThrow(/is not the pinned/);
  });

  it('says in one line how to get the CRDs when the network refuses, and stops', async () => {
    const refused = promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'fetch-crds.mjs'), mkdtempSync(join(tmpdir(), 'k8tre-crds-'))], {
      env: { ...process.env, K8TRE_CRDS_BASE_URL: await closedPort() },
    });
    const error = (await refused.catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^cannot fetch the pinned CRDs \(.*ECONNREFUSED\); put them in \.\.\/shared\/crds, set K8TRE_CRDS_DIR/),
    ]);
  });
});

describe('a clone without ../shared (fetch-crds.mjs --ensure, before npm test and npm start)', () => {
  /** A checkout of just what --ensure reads, in a folder with no ../shared beside it. */
  function bareCheckout(): string {
    const checkout = join(mkdtempSync(join(tmpdir(), 'k8tre-clone-')), 'main');
    mkdirSync(join(checkout, 'scripts'), { recursive: true });
    for (const file of ['fetch-crds.mjs', 'crd-sources.json']) copyFileSync(join(ROOT, 'scripts', file), join(checkout, 'scripts', file));
    return checkout;
  }
  const ensure = (checkout: string, env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, [join(checkout, 'scripts', 'fetch-crds.mjs'), '--ensure'], {
      env: { ...process.env, K8TRE_CRDS_BASE_URL: baseUrl, K8TRE_CRDS_DIR: '', ...env },
    });

  it('fetches the pinned CRDs into .cache/crds, then only what is missing or wrong', async () => {
    tamper = false;
    const checkout = bareCheckout();
    await ensure(checkout);
    const cache = join(checkout, '.cache', 'crds');
    for (const source of sources) expect(readdirSync(join(cache, source.dir)).sort()).toEqual(Object.keys(source.files).sort());
    // A second run with the mirror gone fetches nothing, so it succeeds.
    await ensure(checkout, { K8TRE_CRDS_BASE_URL: await closedPort() });
    const first = sources[0]!;
    const damaged = join(cache, first.dir, Object.keys(first.files)[0]!);
    writeFileSync(damaged, 'not the pinned bytes\n');
    await ensure(checkout);
    expect(readFileSync(damaged).equals(readFileSync(join(crdsDir(), first.dir, Object.keys(first.files)[0]!)))).toBe(true);
  });

  it('leaves alone the CRDs ../shared/crds or K8TRE_CRDS_DIR gives, fetching nothing', async () => {
    const given = mkdtempSync(join(tmpdir(), 'k8tre-crds-'));
    const checkout = bareCheckout();
    await ensure(checkout, { K8TRE_CRDS_DIR: given, K8TRE_CRDS_BASE_URL: await closedPort() });
    expect(readdirSync(given)).toEqual([]);
    expect(existsSync(join(checkout, '.cache'))).toBe(false);
  });
});
