// Regenerates imports/: typed cdk8s models of every CRD the package composes, read from the
// pinned upstream CRDs in ../shared/crds (or $K8TRE_CRDS_DIR), and Crossplane's Usage from the
// core module the tools script downloads. Plain ESM rather than TypeScript
// because it must run when imports/ is missing or stale and the project does not compile.
//
// cdk8s writes one file per API group, and a second import of the same group overwrites the
// first, so the CRDs of each group are concatenated into one multi-document input first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const crdsDir = process.env.K8TRE_CRDS_DIR ?? resolve(root, '../shared/crds');
// `--out DIR` writes elsewhere, so a test can compare a fresh import with the committed one.
const outArg = process.argv.indexOf('--out');
const outDir = outArg === -1 ? join(root, 'imports') : resolve(process.argv[outArg + 1] ?? '');

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
