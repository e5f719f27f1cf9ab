import { EXTERNAL_NAME, type ObjectMeta } from './manifest.js';
import { merged } from './records.js';

// What every composed resource of one XR has in common: its Kubernetes name (`<xr>-<key>`),
// namespace, labels, provider config, region, resource group and tags.

export interface Stamp {
  readonly xrName: string;
  readonly namespace: string;
  readonly region: string;
  readonly providerConfigRef: { readonly kind: string; readonly name: string };
  /** Labels on every composed resource, e.g. which XR it belongs to. */
  readonly labels: Readonly<Record<string, string>>;
  /** Azure tags on every taggable resource; the user's tags are already merged in. */
  readonly tags: Readonly<Record<string, string>>;
  /** Composition key of the resource group the XR's regional resources live in. */
  readonly resourceGroupKey: string;
}

/** The Kubernetes name of a composed resource, for `*Ref` fields. */
export function refTo(stamp: Stamp, key: string): { name: string } {
  return { name: `${stamp.xrName}-${key}` };
}

export function meta(stamp: Stamp, key: string, options: { azureName?: string; labels?: Record<string, string> } = {}): ObjectMeta {
  return {
    name: `${stamp.xrName}-${key}`,
    namespace: stamp.namespace,
    labels: merged(stamp.labels, options.labels),
    ...(options.azureName && { annotations: { [EXTERNAL_NAME]: options.azureName } }),
  };
}

/** Where a regional resource lives: the XR's region and resource group (or the composed group `groupKey`), with its tags. */
export function placement(
  stamp: Stamp,
  extraTags: Record<string, string> = {},
  groupKey: string = stamp.resourceGroupKey,
): { location: string; resourceGroupNameRef: { name: string }; tags: Record<string, string> } {
  return { location: stamp.region, resourceGroupNameRef: refTo(stamp, groupKey), tags: merged(stamp.tags, extraTags) };
}

/** A reference to one of the XR's own namespaced ProviderConfigs, e.g. the one reaching its cluster. */
export function providerConfigRefTo(stamp: Stamp, key: string): { kind: 'ProviderConfig'; name: string } {
  return { kind: 'ProviderConfig', ...refTo(stamp, key) };
}
