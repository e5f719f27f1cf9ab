// Downloads the upstream CRDs of scripts/crd-sources.json, at their pinned commits, into a
// folder laid out like ../shared/crds, checking each file's git blob hash.
//
//   node scripts/fetch-crds.mjs [dir]     into dir (default: the folder crdsDir() names)
//   node scripts/fetch-crds.mjs --ensure  what `npm test`, `npm start` and `npm run e2e` run
//                                         first: nothing where K8TRE_CRDS_DIR or ../shared/crds
//                                         gives the CRDs; otherwise fills .cache/crds
//                                         (git-ignored), fetching only what is missing or wrong
//
// K8TRE_CRDS_BASE_URL points elsewhere than raw.githubusercontent.com (a mirror, or a test's
// local server); the URL layout is <base>/<repository>/<commit>/<path>/<file>.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const { sources } = JSON.parse(readFileSync(join(root, 'scripts', 'crd-sources.json'), 'utf8'));

/** Where the CRDs are read from; scripts/lib/paths.ts's crdsDir() says the same for the TypeScript side. */
export function crdsDir() {
  if (process.env.K8TRE_CRDS_DIR) return resolve(process.env.K8TRE_CRDS_DIR);
  const shared = resolve(root, '..', 'shared', 'crds');
  return existsSync(shared) ? shared : join(root, '.cache', 'crds');
}

async function main() {
  const ensure = process.argv.includes('--ensure');
  const given = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  const target = resolve(given ?? crdsDir());
  if (ensure && target !== join(root, '.cache', 'crds')) return;

  const baseUrl = process.env.K8TRE_CRDS_BASE_URL ?? 'https://raw.githubusercontent.com';
  const gitBlobHash = (bytes) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');

  /** One line a person can act on, when the CRDs cannot be fetched. */
  function refuse(url, why) {
    process.stderr.write(
      `cannot fetch the pinned CRDs (${url}: ${why}); put them in ../shared/crds, set K8TRE_CRDS_DIR to a folder laid out like it, or K8TRE_CRDS_BASE_URL to a mirror of ${baseUrl}\n`,
    );
    process.exit(1);
  }

  let fetched = 0;
  for (const source of sources) {
    const dir = join(target, source.dir);
    mkdirSync(dir, { recursive: true });
    for (const [file, blob] of Object.entries(source.files)) {
      const path = join(dir, file);
      if (existsSync(path) && gitBlobHash(readFileSync(path)) === blob) continue;
      const url = `${baseUrl}/${source.repository}/${source.commit}/${source.path}/${file}`;
      const response = await fetch(url).catch((error) => refuse(url, error.cause?.code ?? error.cause?.message ?? error.message));
      if (!response.ok) refuse(url, `HTTP ${response.status}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (gitBlobHash(bytes) !== blob) refuse(url, `blob ${gitBlobHash(bytes)} is not the pinned ${blob}`);
      writeFileSync(path, bytes);
      fetched++;
    }
    if (!ensure) process.stderr.write(`${source.dir}: ${Object.keys(source.files).length} CRDs from ${source.repository}@${source.tag}\n`);
  }
  if (ensure && fetched > 0) process.stderr.write(`[crds] fetched ${fetched} pinned CRDs into ${target}\n`);

  // The provenance table, in the layout of ../shared/crds/SOURCES.md.
  const rows = sources.map((s) => `| \`${s.dir}/\` | github.com/${s.repository} | \`${s.tag}\` | \`${s.commit}\` | fetched by scripts/fetch-crds.mjs |`);
  writeFileSync(
    join(target, 'SOURCES.md'),
    ['# Upstream CRD sources', '', '| Directory | Repository | Tag | Commit | Note |', '|---|---|---|---|---|', ...rows, ''].join('\n'),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
