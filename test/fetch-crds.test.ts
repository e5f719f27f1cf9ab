import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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
});
