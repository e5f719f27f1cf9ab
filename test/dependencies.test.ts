import { GROUP } from '../functions/k8tre/network/api.js';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { crdsDir, ROOT } from '../scripts/lib/paths.js';
import { providerPackageFor, type ProviderPackage } from '../scripts/lib/provider-groups.js';
import { asObserved, type Manifest } from '../scripts/lib/reconcile.js';
import { loadExample, settle, settledExampleResources, withField, type Json } from './support/function.js';

// Installing the Configuration must bring every provider whose APIs the Compositions use, at
// the version of the CRDs the package is validated against.

interface Dependency {
  kind: string;
  package: string;
  version: string;
}

const meta = parse(readFileSync(join(ROOT, 'crossplane.yaml'), 'utf8')) as { spec: { crossplane: { version: string }; dependsOn: Dependency[] } };
const providers = meta.spec.dependsOn.filter((d) => d.kind === 'Provider');

function packageFor(group: string): ProviderPackage {
  const found = providerPackageFor(group);
  if (!found) throw new Error(`no provider convention for ${group}`);
  return found;
}

const gitBlobHash = (bytes: Buffer) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');

interface CrdSource {
  dir: string;
  tag: string;
  commit: string;
  files: Record<string, string>;
}

/** The project's pin of the upstream CRDs (scripts/crd-sources.json). */
const crdSources = (JSON.parse(readFileSync(join(ROOT, 'scripts', 'crd-sources.json'), 'utf8')) as { sources: CrdSource[] }).sources;

/** Tag of each CRD folder, from the pin file. */
function crdTags(): Map<string, string> {
  return new Map(crdSources.map((source) => [source.dir, source.tag]));
}

/**
 * Every apiVersion the examples compose once settled (Objects' payloads go to other clusters), and
 * what the example network composes with what is off by default turned on (Managed Grafana).
 */
function composedGroups(): Set<string> {
  const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
  const optional = settle(withField(loadExample('examples/network/k8tre.yaml'), 'spec.monitoring.grafana', { enabled: true }), observe);
  return new Set([...settledExampleResources(), ...Object.values(optional.tree)].map((manifest) => String(manifest.apiVersion).split('/')[0]!));
}

/** Groups Crossplane itself serves (Usages), with the release that first served them. */
const CROSSPLANE_GROUPS = new Map([['protection.crossplane.io', 'v2.0.0']]);
/** The package's own XRs (a network's spoke groups and spokes) come from its own XRDs, not a provider. */
const fromProviders = (group: string) => group.includes('.') && !CROSSPLANE_GROUPS.has(group) && group !== GROUP;

describe('scripts/crd-sources.json', () => {
  it('pins exactly the CRDs in the CRD folder, byte for byte, at the tags and commits SOURCES.md records', () => {
    const sources = readFileSync(join(crdsDir(), 'SOURCES.md'), 'utf8');
    for (const source of crdSources) {
      expect(readdirSync(join(crdsDir(), source.dir)).sort(), source.dir).toEqual(Object.keys(source.files).sort());
      for (const [file, blob] of Object.entries(source.files)) expect(gitBlobHash(readFileSync(join(crdsDir(), source.dir, file))), file).toBe(blob);
      expect(sources).toMatch(new RegExp(`^\\| \`${source.dir}/\` \\| [^|]+ \\| \`${source.tag}\`[^|]* \\| \`${source.commit}\``, 'm'));
    }
  });
});

describe('crossplane.yaml', () => {
  const groups = composedGroups();
  const tags = crdTags();

  it('sees the APIs the package composes', () => {
    expect([...groups].sort()).toEqual(
      expect.arrayContaining(['network.azure.m.upbound.io', 'containerservice.azure.m.upbound.io', 'helm.m.crossplane.io', 'kubernetes.m.crossplane.io']),
    );
  });

  it('depends on a provider for every composed API group, pinned to the CRDs’ version', () => {
    for (const group of [...groups].filter(fromProviders)) {
      const { package: pkg, crdsFolder } = packageFor(group);
      const dependency = providers.find((d) => d.package === pkg);
      expect(dependency, `${group} needs ${pkg} in crossplane.yaml`).toBeDefined();
      expect(dependency?.version, `${pkg} must be pinned to the CRDs' tag`).toBe(tags.get(crdsFolder));
    }
  });

  it('requires a Crossplane that serves the groups Crossplane itself provides', () => {
    const minimum = /^>=\s*(v[0-9]+\.[0-9]+\.[0-9]+)/.exec(meta.spec.crossplane.version)?.[1];
    expect(minimum, 'spec.crossplane.version must state a minimum').toBeDefined();
    for (const group of [...groups].filter((g) => CROSSPLANE_GROUPS.has(g))) {
      expect(minimum!.localeCompare(CROSSPLANE_GROUPS.get(group)!, undefined, { numeric: true }), group).toBeGreaterThanOrEqual(0);
    }
    expect(groups.has('protection.crossplane.io')).toBe(true);
  });

  it('composes core Kubernetes kinds only from the core group', () => {
    expect([...groups].filter((g) => !g.includes('.'))).toEqual(['v1']);
  });

  it('declares no provider the package does not use', () => {
    const used = new Set([...groups].filter(fromProviders).map((g) => packageFor(g).package));
    expect(providers.map((d) => d.package).filter((p) => !used.has(p))).toEqual([]);
  });
});
