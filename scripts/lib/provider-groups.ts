// Which provider package serves an API group, by the providers' own naming: `azure.m.upbound.io`
// is the Azure family's own (resource groups, provider configs), `<service>.azure.m.upbound.io`
// is provider-azure-<service>, the azuread groups are provider-azuread's, and
// `helm.m.crossplane.io` and `kubernetes.m.crossplane.io` are crossplane-contrib's. Undefined for
// any other group, the legacy cluster-scoped ones among them, which Crossplane v2 does not compose.

export interface ProviderPackage {
  /** The package path without a tag, as crossplane.yaml's dependsOn and providers.yaml name it. */
  readonly package: string;
  /** Its folder in the CRD pins (../shared/crds). */
  readonly crdsFolder: string;
}

export function providerPackageFor(group: string): ProviderPackage | undefined {
  if (group === 'azure.m.upbound.io') return { package: 'xpkg.upbound.io/upbound/provider-family-azure', crdsFolder: 'provider-azure' };
  const azure = /^([a-z]+)\.azure\.m\.upbound\.io$/.exec(group);
  if (azure) return { package: `xpkg.upbound.io/upbound/provider-azure-${azure[1]}`, crdsFolder: 'provider-azure' };
  if (/^([a-z]+\.)?azuread\.m\.upbound\.io$/.test(group)) return { package: 'xpkg.upbound.io/upbound/provider-azuread', crdsFolder: 'provider-azuread' };
  const contrib = /^(helm|kubernetes)\.m\.crossplane\.io$/.exec(group);
  if (contrib) return { package: `xpkg.upbound.io/crossplane-contrib/provider-${contrib[1]}`, crdsFolder: `provider-${contrib[1]}` };
  return undefined;
}
