import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { providerPackageFor } from '../../scripts/lib/provider-groups.js';
import { parsePackageRef } from './packages.js';
import type { ProviderCrd } from './provider-crds.js';

// Stand-in provider packages: for each Provider the GitOps install names
// (examples/gitops/crossplane/providers.yaml), a package of the same name and version that
// holds that provider's pinned CRDs and no controller. Pushed to the loopback registry under
// the same repository path, they let Crossplane's package manager install the providers the way
// it installs the real ones (it unpacks the package, establishes its CRDs and has the RBAC
// manager grant Crossplane their kinds); the stand-in provider then plays their controllers.

export interface GitopsProvider {
  /** The Provider's metadata.name in providers.yaml. */
  readonly name: string;
  /** Its spec.package: "<registry>/<repository>:<tag>". */
  readonly ref: string;
}

/** The Providers a GitOps file installs, in order. */
export function gitopsProviders(file: string): GitopsProvider[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { package?: string } } | null)
    .filter((doc) => doc?.kind === 'Provider')
    .map((doc) => {
      const name = doc?.metadata?.name;
      const ref = doc?.spec?.package;
      if (!name || !ref) throw new Error(`${file}: a Provider without metadata.name or spec.package`);
      return { name, ref };
    });
}

/** Whether a CRD's API group is served by the Provider that installs this package (any tag). */
export function serves(provider: GitopsProvider, group: string): boolean {
  const { registry, repository } = parsePackageRef(provider.ref);
  return providerPackageFor(group)?.package === `${registry}/${repository}`;
}

/**
 * Builds one package per Provider with `crossplane xpkg build`, into `dir`. CRDs whose provider
 * the GitOps install does not name are left out, as the real packages would not bring them:
 * a Composition that composes one of their kinds then fails to compose, as it would in a
 * cluster. No provider runs a conversion webhook here, so the CRDs go without one.
 */
export function buildProviderPackages(
  cli: string,
  providers: readonly GitopsProvider[],
  crds: readonly ProviderCrd[],
  dir: string,
): Map<GitopsProvider, string> {
  const built = new Map<GitopsProvider, string>();
  for (const provider of providers) {
    const root = join(dir, provider.name);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, 'crds'), { recursive: true });
    writeFileSync(
      join(root, 'crossplane.yaml'),
      stringify({
        apiVersion: 'meta.pkg.crossplane.io/v1',
        kind: 'Provider',
        metadata: { name: provider.name, annotations: { 'meta.crossplane.io/description': 'K8TRE end-to-end stand-in: the CRDs, no controller' } },
      }),
    );
    for (const { provider: _folder, ...crd } of crds.filter((c) => serves(provider, c.spec.group))) {
      const { conversion: _webhook, ...spec } = crd.spec;
      writeFileSync(join(root, 'crds', `${crd.metadata.name}.yaml`), stringify({ ...crd, spec }));
    }
    const file = join(dir, `${provider.name}.xpkg`);
    rmSync(file, { force: true });
    // Without --examples-root the CLI reads ./examples, which here is the project's.
    const examples = join(root, 'examples');
    mkdirSync(examples);
    execFileSync(cli, ['xpkg', 'build', `--package-root=${root}`, `--examples-root=${examples}`, `--package-file=${file}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    built.set(provider, file);
  }
  return built;
}
