// Carries package.json's version to every place that names it. `npm version <x.y.z>` runs
// this (the "version" lifecycle script) before it commits; test/versions.test.ts fails when
// any place disagrees.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
const tag = `v${version}`;

const rewrites = [
  // The Configuration's dependency on the function package.
  ['crossplane.yaml', /(package: ghcr\.io\/k8tre\/function-k8tre-azure\n\s+version: )"v[^"]+"/, `$1"${tag}"`],
  ['examples/functions.yaml', /(package: ghcr\.io\/k8tre\/function-k8tre-azure:)v\S+/, `$1${tag}`],
  ['examples/gitops/crossplane/configuration.yaml', /(package: ghcr\.io\/k8tre\/configuration-k8tre-azure:)v\S+/, `$1${tag}`],
  ['examples/gitops/crossplane/configuration.yaml', /(package: ghcr\.io\/k8tre\/function-k8tre-azure:)v\S+/, `$1${tag}`],
];
for (const [file, pattern, replacement] of rewrites) {
  const path = resolve(root, file);
  const before = readFileSync(path, 'utf8');
  if (!pattern.test(before)) throw new Error(`${file}: found no version to set`);
  writeFileSync(path, before.replace(pattern, replacement));
}
copyFileSync(resolve(root, 'crossplane.yaml'), resolve(root, 'package/crossplane.yaml'));

if (!new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\]`, 'm').test(readFileSync(resolve(root, 'CHANGELOG.md'), 'utf8'))) {
  throw new Error(`CHANGELOG.md has no "## [${version}]" section: describe the release before tagging it`);
}
process.stderr.write(`set version ${tag}\n`);
