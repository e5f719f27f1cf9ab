import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_PACKAGE, FUNCTION_PACKAGE } from '../apis/package.js';
import { ENTRYPOINT, FUNCTION_PORT, NONROOT, RUNTIME_ENV } from '../scripts/lib/function-image.js';
import { ROOT } from '../scripts/lib/paths.js';
import { packageTag, projectVersion } from '../scripts/lib/version.js';

// One version for everything, from package.json, and one image whichever way it is built.

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('the version', () => {
  const tag = packageTag();

  it('pins the function package in crossplane.yaml', () => {
    const meta = parse(read('crossplane.yaml')) as { spec: { dependsOn: { package: string; version: string }[] } };
    expect(meta.spec.dependsOn.find((d) => d.package === FUNCTION_PACKAGE)?.version).toBe(tag);
  });

  it('is the tag the examples install and render', () => {
    expect((parse(read('examples/functions.yaml')) as { spec: { package: string } }).spec.package).toBe(`${FUNCTION_PACKAGE}:${tag}`);
    const gitops = parseAllDocuments(read('examples/gitops/crossplane/configuration.yaml')).map((d) => d.toJS() as { kind: string; spec: { package: string } });
    const packageOf = (kind: string) => gitops.find((m) => m.kind === kind)?.spec.package;
    expect(packageOf('Function')).toBe(`${FUNCTION_PACKAGE}:${tag}`);
    expect(packageOf('Configuration')).toBe(`${CONFIGURATION_PACKAGE}:${tag}`);
  });

  it('has a CHANGELOG section', () => {
    const sections = [...read('CHANGELOG.md').matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1]);
    expect(sections[0]).toBe('Unreleased');
    expect(sections[1]).toBe(projectVersion());
  });
});

describe('the Dockerfile', () => {
  const final = read('Dockerfile')
    .split(/^FROM /m)
    .at(-1)!;
  const instruction = (name: string) => new RegExp(`^${name} (.+)$`, 'm').exec(final)?.[1];

  it('builds the image npm run package assembles: entrypoint, environment, user and port', () => {
    expect(JSON.parse(instruction('ENTRYPOINT') ?? 'null')).toEqual([...ENTRYPOINT]);
    for (const [name, value] of Object.entries(RUNTIME_ENV)) expect(final).toContain(`ENV ${name}=${value}\n`);
    expect(instruction('USER')).toBe(NONROOT);
    expect(instruction('EXPOSE')).toBe(FUNCTION_PORT);
  });

  it('copies every file the bundle is made of into the build stage', async () => {
    // esbuild's record of what it read, against the Dockerfile's COPY sources: a source folder the
    // function starts to import (as generated/ did) fails here rather than in someone's docker build.
    const { bundle } = (await import(pathToFileURL(join(ROOT, 'scripts', 'bundle-function.mjs')).href)) as {
      bundle: (outfile: string, options: { metafile: boolean }) => Promise<{ metafile: { inputs: Record<string, unknown> } }>;
    };
    const { metafile } = await bundle(join(mkdtempSync(join(tmpdir(), 'k8tre-bundle-')), 'main.mjs'), { metafile: true });
    const copied = [...read('Dockerfile').matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    const uncopied = Object.keys(metafile.inputs).filter(
      (input) => !input.startsWith('node_modules/') && !copied.some((source) => input === source || input.startsWith(`${source.replace(/\/$/, '')}/`)),
    );
    expect(uncopied).toEqual([]);
  });

  it('bundles with the same script, on the Node major the image pins', () => {
    expect(read('Dockerfile')).toContain('node scripts/bundle-function.mjs');
    expect(read('Dockerfile')).toMatch(/^FROM node:20\./m);
    expect(final).toMatch(/^gcr\.io\/distroless\/nodejs20-/);
  });
});
