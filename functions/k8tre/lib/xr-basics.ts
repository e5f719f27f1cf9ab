import { FieldError } from './field-error.js';
import { PACKAGE_TAGS, PACKAGE_TAGS_PER_RESOURCE } from './labels.js';
import { quote, SpecReader } from './spec-reader.js';

// What every API reads the same way: the XR's name and namespace, its provider config and tags.

export const PROVIDER_CONFIG_KINDS = ['ClusterProviderConfig', 'ProviderConfig'] as const;
export const DEFAULT_PROVIDER_CONFIG = { kind: 'ClusterProviderConfig', name: 'default' } as const;
/**
 * Azure's tag limits: 50 tags, less the package's own, names of up to 512 characters (128 on
 * storage accounts, which the XRs tag too) and values of up to 256, and names without `<>%&\?/`
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations).
 */
export const TAG_LIMITS = {
  maxEntries: 50 - PACKAGE_TAGS_PER_RESOURCE,
  maxKey: 128,
  maxValue: 256,
  forbiddenKey: { pattern: /[<>%&\\?/]/, describe: 'Azure refuses <, >, %, &, \\, ? and / in tag names' },
} as const;
const PROVIDER_CONFIG_NAME = { pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, describe: 'a Kubernetes name' };

export interface XrBasics {
  readonly name: string;
  readonly namespace: string;
  readonly spec: SpecReader;
  readonly providerConfigRef: { kind: (typeof PROVIDER_CONFIG_KINDS)[number]; name: string };
  readonly tags: Readonly<Record<string, string>>;
}

export function readXrBasics(metadata: { name?: unknown; namespace?: unknown }, rawSpec: unknown, xrName: { pattern: RegExp; describe: string }): XrBasics {
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (!xrName.pattern.test(name)) {
    throw new FieldError('metadata.name', `${quote(name)} is not ${xrName.describe}; it prefixes Azure resource names`);
  }
  const spec = SpecReader.root(rawSpec, 'spec');
  const providerConfig = spec.object('providerConfigRef');
  return {
    name,
    namespace: typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default',
    spec,
    providerConfigRef: {
      kind: providerConfig?.oneOf('kind', PROVIDER_CONFIG_KINDS, DEFAULT_PROVIDER_CONFIG.kind) ?? DEFAULT_PROVIDER_CONFIG.kind,
      name: providerConfig?.string('name', PROVIDER_CONFIG_NAME) ?? DEFAULT_PROVIDER_CONFIG.name,
    },
    tags: checkTagNames(spec.stringMap('tags', TAG_LIMITS), spec.field('tags')),
  };
}

/** Azure tag names are case-insensitive: none may be the package's, nor two the same but for case. */
function checkTagNames(tags: Readonly<Record<string, string>>, field: string): Readonly<Record<string, string>> {
  const seen = new Map<string, string>();
  for (const name of Object.keys(tags)) {
    const folded = name.toLowerCase();
    if (PACKAGE_TAGS.includes(folded)) {
      throw new FieldError(`${field}[${quote(name)}]`, `is a tag the package sets (${PACKAGE_TAGS.join(', ')}); choose another name`);
    }
    const twin = seen.get(folded);
    if (twin) throw new FieldError(`${field}[${quote(name)}]`, `is the tag ${quote(twin)} to Azure, which compares tag names without regard to case`);
    seen.set(folded, name);
  }
  return tags;
}
