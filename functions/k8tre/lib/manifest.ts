// The one place generated cdk8s models meet the function. The models' static `manifest()`
// renders a typed props object to plain JSON (and drops undefined fields) but is declared
// as returning `any`; `render` pins that down so no `any` escapes into composing code.

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
  manifest(props: Props): unknown;
}

export function render<Props>(model: Model<Props>, props: Props): Manifest {
  return model.manifest(props) as Manifest;
}

/** Annotation that sets an Azure resource's name independently of its Kubernetes name. */
export const EXTERNAL_NAME = 'crossplane.io/external-name';
