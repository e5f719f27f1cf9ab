// The one place generated cdk8s models meet the function. Composers pass a model and its
// typed props, so a wrong field name fails tsc; at run time the props already are the
// manifest's JSON. The models' own `manifest()` (toJson) deep-copies every object through
// per-level filters that were half of all composing time on a large network (npm run bench),
// so `render` takes the props as they are. Where a model renames a field between TypeScript
// and JSON (`clientId` for `clientID`, `skipCrDs` for `skipCRDs`), that would differ:
// test/unit/render.test.ts checks every resource composed for every example, in every reconcile,
// against its model's own `manifest()`.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

interface Model<Props> {
  readonly GVK: { readonly apiVersion: string; readonly kind: string };
  manifest(props: Props): unknown;
}

export function render<Props extends object>(model: Model<Props>, props: Props): Manifest {
  return { apiVersion: model.GVK.apiVersion, kind: model.GVK.kind, ...props };
}

/** Annotation that sets an Azure resource's name independently of its Kubernetes name. */
export const EXTERNAL_NAME = 'crossplane.io/external-name';
