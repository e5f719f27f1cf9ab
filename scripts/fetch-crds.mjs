// Downloads the upstream CRDs of scripts/crd-sources.json, at their pinned commits, into a
// folder laid out like ../shared/crds, checking each file's git blob hash. For machines that
// can reach GitHub and have no ../shared/crds (the GitHub Actions workflow); this project's
// own build and tests never run it.
//
//   node scripts/fetch-crds.mjs [dir]      default ../shared/crds
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const target = resolve(process.argv[2] ?? join(root, '..', 'shared', 'crds'));
const { sources } = JSON.parse(readFileSync(join(root, 'scripts', 'crd-sources.json'), 'utf8'));

// K8TRE_CRDS_BASE_URL points elsewhere (a mirror, or a test's local server).
const baseUrl = process.env.K8TRE_CRDS_BASE_URL ?? 'https://raw.githubusercontent.com';
const gitBlobHash = (bytes) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');

for (const source of sources) {
  const dir = join(target, source.dir);
  mkdirSync(dir, { recursive: true });
  for (const [file, blob] of Object.entries(source.files)) {
    const path = join(dir, file);
    if (existsSync(path) && gitBlobHash(readFileSync(path)) === blob) continue;
    const url = `${baseUrl}/${source.repository}/${source.commit}/${source.path}/${file}`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (gitBlobHash(bytes) !== blob) throw new Error(`${url}: blob ${gitBlobHash(bytes)} is not the pinned ${blob}`);
    writeFileSync(path, bytes);
  }
  process.stderr.write(`${source.dir}: ${Object.keys(source.files).length} CRDs from ${source.repository}@${source.tag}\n`);
}

// The provenance table, in the layout of ../shared/crds/SOURCES.md.
const rows = sources.map((s) => `| \`${s.dir}/\` | github.com/${s.repository} | \`${s.tag}\` | \`${s.commit}\` | fetched by scripts/fetch-crds.mjs |`);
writeFileSync(
  join(target, 'SOURCES.md'),
  ['# Upstream CRD sources', '', '| Directory | Repository | Tag | Commit | Note |', '|---|---|---|---|---|', ...rows, ''].join('\n'),
);
