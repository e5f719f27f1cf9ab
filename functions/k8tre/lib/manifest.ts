// The one place generated cdk8s models meet the function. Composers pass a model and its
// typed props, so a wrong field name fails tsc; at run time the props already are the
// manifest's JSON. The models' own `manifest()` (toJson) deep-copies every object through
// per-level filters that were half of all composing time on a large network (npm run bench),
// so `render` takes the props as they are. Where a model renames a field between TypeScript
// and JSON (`clientId` for `clientID`, `skipCrDs` for `skipCRDs`), that would differ:
// test/unit/render.test.ts records every render of every example and checks each against the
// model's own `manifest()`.

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

type RenderObserver = (model: Model<never>, props: unknown, rendered: Manifest) => void;
let observer: RenderObserver | undefined;

/** For the equivalence test only: sees every render. */
export function observeRenders(next: RenderObserver | undefined): void {
  observer = next;
}

export function render<Props extends object>(model: Model<Props>, props: Props): Manifest {
  const rendered = { apiVersion: model.GVK.apiVersion, kind: model.GVK.kind, ...props } as Manifest;
  observer?.(model, props, rendered);
  return rendered;
}

/** Annotation that sets an Azure resource's name independently of its Kubernetes name. */
export const EXTERNAL_NAME = 'crossplane.io/external-name';
