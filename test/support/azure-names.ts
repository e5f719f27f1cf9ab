import type { Json } from './function.js';

// What the names test (test/function/names.test.ts) and the property tests check of composed
// resources: that no two claim one Azure name in one scope, and that every federated credential
// federates the service account of the identity it belongs to.

const EXTERNAL_NAME = 'crossplane.io/external-name';
/** The forProvider fields that say which parent an Azure name is unique within. */
const PARENT_FIELDS = [
  'resourceGroupName',
  'resourceGroupNameRef',
  'virtualNetworkName',
  'virtualNetworkNameRef',
  'privateDnsZoneName',
  'privateDnsZoneNameRef',
  'parentIdRef',
  'applicationIdRef',
  'kubernetesClusterIdRef',
  // A data collection rule association is a child of the resource it targets.
  'targetResourceId',
];

const forProvider = (m: Json) => (m.spec as { forProvider?: Json } | undefined)?.forProvider ?? {};

/** Pairs of composed resources that would be one Azure resource: same kind, same parent, same name (Azure names are case-insensitive). */
export function azureNameClashes(manifests: readonly Json[]): string[] {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const m of manifests) {
    const metadata = m.metadata as { name: string; namespace?: string; annotations?: Record<string, string> };
    const azureName = metadata.annotations?.[EXTERNAL_NAME];
    if (!azureName) continue;
    const fp = forProvider(m);
    // The provider config says which subscription or cluster; the parent fields where in it.
    const where = [(m.spec as { providerConfigRef?: unknown } | undefined)?.providerConfigRef, ...PARENT_FIELDS.map((field) => fp[field])];
    const key = `${String(m.kind)} in ${metadata.namespace ?? ''}:${JSON.stringify(where)} named ${azureName.toLowerCase()}`;
    const first = seen.get(key);
    if (first) clashes.push(`${first} and ${metadata.name}: ${key}`);
    else seen.set(key, metadata.name);
  }
  return clashes;
}

/** Kubernetes names used twice for one kind in one namespace. */
export function kubernetesNameClashes(manifests: readonly Json[]): string[] {
  const seen = new Set<string>();
  const clashes: string[] = [];
  for (const m of manifests) {
    const metadata = m.metadata as { name: string; namespace?: string };
    const key = `${String(m.apiVersion)} ${String(m.kind)} ${metadata.namespace ?? ''}/${metadata.name}`;
    if (seen.has(key)) clashes.push(key);
    seen.add(key);
  }
  return clashes;
}

/**
 * Federated credentials whose subject is not a service account the identity they belong to was
 * asked for: `asked` maps each identity's Kubernetes name to its subjects.
 */
export function misfederated(manifests: readonly Json[], asked: ReadonlyMap<string, readonly string[]>): string[] {
  return manifests
    .filter((m) => m.kind === 'FederatedIdentityCredential' && String(m.apiVersion).startsWith('managedidentity.'))
    .flatMap((m) => {
      const fp = forProvider(m);
      const identity = (fp.parentIdRef as { name?: string } | undefined)?.name ?? '';
      return asked.get(identity)?.includes(String(fp.subject)) ? [] : [`${(m.metadata as { name: string }).name}: ${String(fp.subject)} on ${identity}`];
    });
}
