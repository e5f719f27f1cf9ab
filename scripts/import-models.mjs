// Regenerates imports/: typed cdk8s models of every CRD the package composes, read from the
// pinned upstream CRDs in ../shared/crds (or $K8TRE_CRDS_DIR, or .cache/crds: fetch-crds.mjs), and
// Crossplane's Usage from the core module the tools script downloads. Plain ESM rather than
// TypeScript because it must run when imports/ is missing or stale and the project does not compile.
//
//   node scripts/import-models.mjs              regenerate imports/ (`npm run import`)
//   node scripts/import-models.mjs --out DIR    write elsewhere, to compare a fresh import with the committed one
//   node scripts/import-models.mjs --check      exit 0 if imports/ is what its stamp says it was generated
//                                               from, and nothing changed since; 3 if not
//
// The stamp, imports/.generated-from.json, holds a hash of the inputs (the CRDs read, the
// importer and the cdk8s version) and one of the files written: a test that finds both unchanged
// need not import again, which takes seconds.
//
// cdk8s writes one file per API group, and a second import of the same group overwrites the
// first, so the CRDs of each group are concatenated into one multi-document input first.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdsDir as pinnedCrdsDir } from './fetch-crds.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const crdsDir = pinnedCrdsDir();
const outArg = process.argv.indexOf('--out');
const outDir = outArg === -1 ? join(root, 'imports') : resolve(process.argv[outArg + 1] ?? '');
const STAMP = '.generated-from.json';

// The namespaced (.m.) provider APIs only, plus Crossplane's own XRD and Composition types.
// Cluster-scoped legacy groups are never composed by a namespaced XR.
const isWanted = (file) =>
  /^[a-z.]+\.m\.(upbound|crossplane)\.io_[a-z]+\.yaml$/.test(file) ||
  /^apiextensions\.crossplane\.io_(compositeresourcedefinitions|compositions)\.yaml$/.test(file);

const byGroup = new Map();
const add = (path) => {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const group = file.slice(0, file.indexOf('_'));
  const docs = byGroup.get(group) ?? [];
  docs.push(readFileSync(path, 'utf8'));
  byGroup.set(group, docs);
};
for (const provider of readdirSync(crdsDir, { withFileTypes: true })) {
  if (!provider.isDirectory()) continue;
  for (const file of readdirSync(join(crdsDir, provider.name)).sort()) if (isWanted(file)) add(join(crdsDir, provider.name, file));
}
const tools = execFileSync('bash', [join(root, 'scripts/tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const coreCrds = /^CROSSPLANE_CORE_CRDS=(.*)$/m.exec(tools)?.[1];
if (!coreCrds) throw new Error('scripts/tools.sh did not report CROSSPLANE_CORE_CRDS');
add(join(coreCrds, 'protection.crossplane.io_usages.yaml'));
if (byGroup.size === 0) throw new Error(`no CRDs found under ${crdsDir}`);

const sha256 = (parts) => parts.reduce((hash, part) => hash.update(part).update('\0'), createHash('sha256')).digest('hex');
const inputsHash = sha256([
  readFileSync(fileURLToPath(import.meta.url)),
  JSON.parse(readFileSync(join(root, 'node_modules', 'cdk8s-cli', 'package.json'), 'utf8')).version,
  ...[...byGroup].sort(([a], [b]) => a.localeCompare(b)).flatMap(([group, docs]) => [group, ...docs]),
]);
const outputsHash = (dir) =>
  sha256(
    readdirSync(dir)
      .filter((file) => file !== STAMP)
      .sort()
      .flatMap((file) => [file, readFileSync(join(dir, file))]),
  );

if (process.argv.includes('--check')) {
  const stamp = existsSync(join(outDir, STAMP)) ? JSON.parse(readFileSync(join(outDir, STAMP), 'utf8')) : {};
  process.exit(stamp.inputs === inputsHash && stamp.outputs === outputsHash(outDir) ? 0 : 3);
}

const work = mkdtempSync(join(tmpdir(), 'k8tre-import-'));
rmSync(outDir, { recursive: true, force: true });
try {
  for (const [group, docs] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
    const input = join(work, `${group}.yaml`);
    writeFileSync(input, docs.map((d) => d.replace(/^---\s*\n/, '')).join('\n---\n'));
    process.stderr.write(`importing ${group} (${docs.length} CRD${docs.length > 1 ? 's' : ''})\n`);
    execFileSync(join(root, 'node_modules/.bin/cdk8s'), ['import', input, '--language', 'typescript', '--output', outDir, '--no-save', '--no-check-upgrade'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

// provider-kubernetes' kind is called `Object`, so its generated class shadows the global
// Object inside that module and the generated `Object.entries(...)` calls stop compiling.
for (const file of readdirSync(outDir)) {
  const path = join(outDir, file);
  const source = readFileSync(path, 'utf8');
  if (/^export class Object extends ApiObject/m.test(source)) {
    writeFileSync(path, source.replaceAll('Object.entries(', 'globalThis.Object.entries('));
  }
}

writeFileSync(join(outDir, STAMP), `${JSON.stringify({ inputs: inputsHash, outputs: outputsHash(outDir) }, null, 2)}\n`);
