import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

// Reads a package the way Crossplane's package manager does: a docker-archive image whose
// config labels name the layer holding package.yaml ("base") and the one holding examples
// ("upbound"); any other layer is the embedded runtime image.

export interface ImageConfigFile {
  config: { User?: string; Entrypoint?: string[]; ExposedPorts?: Record<string, unknown>; Env?: string[]; Labels?: Record<string, string> };
  rootfs: { diff_ids: string[] };
}

export interface UnpackedImage {
  readonly dir: string;
  readonly config: ImageConfigFile;
  /** Layer file (relative to dir) by diff ID, in order. */
  readonly layers: { file: string; diffId: string }[];
}

export function unpackImage(tarball: string): UnpackedImage {
  const dir = mkdtempSync(join(tmpdir(), 'k8tre-xpkg-'));
  execFileSync('tar', ['-xf', tarball, '-C', dir]);
  const [manifest] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Config: string; Layers: string[] }[];
  if (!manifest) throw new Error(`${tarball}: empty manifest.json`);
  const config = JSON.parse(readFileSync(join(dir, manifest.Config), 'utf8')) as ImageConfigFile;
  const layers = manifest.Layers.map((file, i) => ({ file, diffId: config.rootfs.diff_ids[i] ?? '' }));
  return { dir, config, layers };
}

export interface UnpackedPackage extends UnpackedImage {
  /** package.yaml's documents: the metadata first, then the package's objects. */
  readonly objects: Record<string, unknown>[];
  /** The examples' documents, if the package carries any. */
  readonly examples: Record<string, unknown>[];
  /** Layers that are neither package.yaml nor examples: the runtime image. */
  readonly runtimeLayers: { file: string; diffId: string }[];
}

/** The xpkg labels name layers by their (compressed) digest, which is the layer file's name. */
function layerRole(image: UnpackedImage, file: string): string | undefined {
  return image.config.config.Labels?.[`io.crossplane.xpkg:sha256:${file.replace(/\.tar(\.gz)?$/, '')}`];
}

function readFromLayer(image: UnpackedImage, layer: string, path: string): Record<string, unknown>[] {
  const text = execFileSync('tar', ['-xOf', join(image.dir, layer), path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Record<string, unknown>)
    .filter(Boolean);
}

export function unpackPackage(xpkg: string): UnpackedPackage {
  const image = unpackImage(xpkg);
  const base = image.layers.find((l) => layerRole(image, l.file) === 'base');
  if (!base) throw new Error(`${xpkg}: no layer labelled as the package's base`);
  const examples = image.layers.find((l) => layerRole(image, l.file) === 'upbound');
  return {
    ...image,
    objects: readFromLayer(image, base.file, 'package.yaml'),
    examples: examples ? readFromLayer(image, examples.file, '.up/examples.yaml') : [],
    runtimeLayers: image.layers.filter((l) => layerRole(image, l.file) === undefined),
  };
}

/** Extracts layers in order into a fresh root filesystem. */
export function extractRootfs(image: UnpackedImage, layers: { file: string }[]): string {
  const rootfs = join(image.dir, 'rootfs');
  mkdirSync(rootfs);
  for (const layer of layers) execFileSync('tar', ['-xf', join(image.dir, layer.file), '-C', rootfs]);
  return rootfs;
}
