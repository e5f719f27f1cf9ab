import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { crdsDir } from '../../scripts/lib/paths.js';
import type { Kube, KubeObject } from './kube.js';
import type { ManagedKind } from './stand-in-provider.js';

// The providers' CRDs, pinned in ../shared/crds (scripts/fetch-crds.mjs fetches them where that
// folder is missing), installed as the providers' packages would install them. No provider
// runs, so no conversion webhook can answer: CRDs that ship one are installed without it.

interface Crd extends KubeObject {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema?: { openAPIV3Schema?: { properties?: { spec?: { properties?: Record<string, unknown> } } } };
    }[];
    conversion?: unknown;
  };
}

/** A provider's CRD, with the provider (its folder in the CRD pins) that would install it. */
export type ProviderCrd = Crd & { readonly provider: string };

export function providerCrds(dir = crdsDir()): ProviderCrd[] {
  if (!existsSync(dir)) throw new Error(`no provider CRDs at ${dir}: set K8TRE_CRDS_DIR, or fetch the pinned ones with \`node scripts/fetch-crds.mjs ${dir}\``);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('provider-'))
    .flatMap((entry) =>
      readdirSync(join(dir, entry.name))
        .filter((file) => file.endsWith('.yaml'))
        .flatMap((file) => parseAllDocuments(readFileSync(join(dir, entry.name, file), 'utf8')).map((doc) => doc.toJS() as Crd | null))
        .filter((crd): crd is Crd => crd?.kind === 'CustomResourceDefinition')
        .map((crd) => ({ ...crd, provider: entry.name })),
    );
}

/**
 * The ClusterRoles Crossplane's RBAC manager writes for each provider revision
 * (internal/controller/rbac/provider/roles, "crossplane:provider:<revision>:aggregate-to-edit"):
 * full access to the provider's kinds, aggregated to Crossplane's own ClusterRole. No provider
 * revision exists here, so these stand in for what its RBAC manager would have written.
 */
export function providerEditRoles(crds: readonly ProviderCrd[]): KubeObject[] {
  const byProvider = new Map<string, ProviderCrd[]>();
  for (const crd of crds) byProvider.set(crd.provider, [...(byProvider.get(crd.provider) ?? []), crd]);
  return [...byProvider].map(([provider, list]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name: `crossplane:provider:${provider}-stand-in:aggregate-to-edit`,
      labels: {
        'rbac.crossplane.io/aggregate-to-crossplane': 'true',
        'rbac.crossplane.io/aggregate-to-admin': 'true',
        'rbac.crossplane.io/aggregate-to-edit': 'true',
      },
    },
    rules: list.map((crd) => ({ apiGroups: [crd.spec.group], resources: [crd.spec.names.plural, `${crd.spec.names.plural}/status`], verbs: ['*'] })),
  }));
}

/** Applies the CRDs (server-side: some are too large for client-side apply) and the roles their providers' revisions would bring. */
export async function installProviderCrds(kube: Kube, crds: readonly ProviderCrd[]): Promise<void> {
  for (const { provider: _provider, ...crd } of crds) {
    const { conversion: _webhook, ...spec } = crd.spec;
    await kube.apply({ ...crd, spec });
  }
  for (const role of providerEditRoles(crds)) await kube.apply(role);
}

/** The namespaced kinds Crossplane v2 composes, at their storage version. */
export function composedKinds(crds: readonly Crd[]): ManagedKind[] {
  return crds
    .filter((crd) => crd.spec.scope === 'Namespaced')
    .map((crd) => {
      const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
      const managed = Boolean(version?.schema?.openAPIV3Schema?.properties?.spec?.properties?.forProvider);
      return { apiVersion: `${crd.spec.group}/${version?.name ?? 'v1'}`, kind: crd.spec.names.kind, managed };
    });
}
