import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A single-layer image as a docker-archive tarball (`docker save`'s format, which
// `crossplane xpkg build --embed-runtime-image-tarball` reads), written without a container
// engine: GNU tar for the layer and the archive, sha256 for the digests. Timestamps and owners
// are fixed, so the same root filesystem always gives the same image digest.

export interface ImageConfig {
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly exposedPorts: readonly string[];
  readonly env: readonly string[];
  readonly workingDir: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface WrittenImage {
  readonly configDigest: string;
  readonly layerDiffId: string;
}

/**
 * Deterministic tar of a directory's contents: sorted names, epoch times, root owners, no
 * access or change times. Entries carry no `./` prefix: image readers look up `manifest.json`
 * by its exact name.
 */
export function deterministicTar(sourceDir: string, outFile: string): void {
  execFileSync('tar', [
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '-C',
    sourceDir,
    '-cf',
    outFile,
    '--',
    ...readdirSync(sourceDir).sort(),
  ]);
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function writeDockerArchive(rootfs: string, config: ImageConfig, repoTag: string, outFile: string): Promise<WrittenImage> {
  const stage = mkdtempSync(join(tmpdir(), 'k8tre-image-'));
  try {
    const layer = join(stage, 'layer.tar');
    deterministicTar(rootfs, layer);
    const diffId = await sha256File(layer);
    mkdirSync(join(stage, diffId));
    renameSync(layer, join(stage, diffId, 'layer.tar'));

    const epoch = '1970-01-01T00:00:00Z';
    const imageConfig = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: epoch,
      config: {
        User: config.user,
        Entrypoint: config.entrypoint,
        Env: config.env,
        WorkingDir: config.workingDir,
        ExposedPorts: Object.fromEntries(config.exposedPorts.map((port) => [port, {}])),
        Labels: config.labels,
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
      history: [{ created: epoch, created_by: 'npm run package (scripts/package.ts)' }],
    });
    const configDigest = createHash('sha256').update(imageConfig).digest('hex');
    writeFileSync(join(stage, `${configDigest}.json`), imageConfig);
    writeFileSync(join(stage, 'manifest.json'), JSON.stringify([{ Config: `${configDigest}.json`, RepoTags: [repoTag], Layers: [`${diffId}/layer.tar`] }]));
    deterministicTar(stage, outFile);
    return { configDigest: `sha256:${configDigest}`, layerDiffId: `sha256:${diffId}` };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
