// `npm run package`: builds the Function package (with its runtime image, assembled without a
// container engine) and the Configuration package into out/packages/, and prints their sizes.
//
//   out/packages/function-k8tre-azure-v<version>.image.tar   the runtime image (docker-archive)
//   out/packages/function-k8tre-azure-v<version>.xpkg        Function package, image embedded
//   out/packages/configuration-k8tre-azure-v<version>.xpkg   Configuration package, with examples
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIGURATION_PACKAGE, FUNCTION_PACKAGE } from '../apis/package.js';
import { writeDockerArchive } from './lib/docker-archive.js';
import { assembleRootfs, fetchDebianLibraries, fetchNode, imageConfig } from './lib/function-image.js';
import { PACKAGE_DIR, ROOT } from './lib/paths.js';
import { crossplaneTools } from './lib/tools.js';
import { packageTag, projectVersion } from './lib/version.js';

export const PACKAGES_DIR = join(ROOT, 'out', 'packages');
const CACHE_DIR = join(ROOT, '.cache', 'image');
const FUNCTION_PACKAGE_ROOT = join(ROOT, 'functions', 'k8tre', 'package');
/** Examples shipped in the Configuration: XRs only (the gitops folder holds other kinds). */
const PACKAGED_EXAMPLES = ['network', 'cluster'];

export interface BuiltPackages {
  readonly image: string;
  readonly functionPackage: string;
  readonly configurationPackage: string;
}

const say = (message: string) => process.stderr.write(`[package] ${message}\n`);

/** Where buildPackages() writes each package for this version. */
export function packageFiles(): BuiltPackages {
  const tag = packageTag(projectVersion());
  return {
    image: join(PACKAGES_DIR, `${basename(FUNCTION_PACKAGE)}-${tag}.image.tar`),
    functionPackage: join(PACKAGES_DIR, `${basename(FUNCTION_PACKAGE)}-${tag}.xpkg`),
    configurationPackage: join(PACKAGES_DIR, `${basename(CONFIGURATION_PACKAGE)}-${tag}.xpkg`),
  };
}

export async function buildPackages(): Promise<BuiltPackages> {
  const version = projectVersion();
  const { image, functionPackage, configurationPackage } = packageFiles();
  const { cli } = crossplaneTools();
  mkdirSync(PACKAGES_DIR, { recursive: true });
  const stage = mkdtempSync(join(tmpdir(), 'k8tre-package-'));
  try {
    say('bundling the function');
    const bundle = join(stage, 'main.mjs');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-function.mjs'), bundle], { stdio: ['ignore', 'ignore', 'inherit'] });

    say('fetching Node (npm registry) and its libraries (Debian)');
    const node = fetchNode(CACHE_DIR);
    const debs = fetchDebianLibraries(CACHE_DIR);

    say('assembling the runtime image');
    const rootfs = join(stage, 'rootfs');
    assembleRootfs(rootfs, bundle, node, debs);
    const config = imageConfig(version, Object.fromEntries(debs.map((deb) => [deb.name, deb.version])));
    await writeDockerArchive(rootfs, config, `${FUNCTION_PACKAGE}:${packageTag(version)}`, image);

    say('building the Function package');
    const noExamples = join(stage, 'no-examples');
    mkdirSync(noExamples);
    xpkgBuild(cli, FUNCTION_PACKAGE_ROOT, noExamples, functionPackage, ['--embed-runtime-image-tarball', image]);

    say('building the Configuration package');
    const examples = join(stage, 'examples');
    for (const folder of PACKAGED_EXAMPLES) cpSync(join(ROOT, 'examples', folder), join(examples, folder), { recursive: true });
    xpkgBuild(cli, PACKAGE_DIR, examples, configurationPackage);

    return { image, functionPackage, configurationPackage };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function xpkgBuild(cli: string, packageRoot: string, examplesRoot: string, out: string, extra: readonly string[] = []): void {
  rmSync(out, { force: true });
  execFileSync(cli, ['xpkg', 'build', `--package-root=${packageRoot}`, `--examples-root=${examplesRoot}`, `--package-file=${out}`, ...extra], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function megabytes(path: string): string {
  return `${(statSync(path).size / 1024 / 1024).toFixed(1)} MB`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildPackages();
  const rows = [
    ['runtime image (docker-archive)', built.image],
    ['Function package', built.functionPackage],
    ['Configuration package', built.configurationPackage],
  ];
  for (const [what, path] of rows) process.stdout.write(`${what!.padEnd(32)}${megabytes(path!).padStart(10)}  ${path}\n`);
  process.stdout.write(`(${readdirSync(PACKAGES_DIR).length} files in ${PACKAGES_DIR})\n`);
}
