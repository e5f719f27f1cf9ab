// The OpenAPI v3 subset XRD schemas use. Here, not in apis/, because the function's status
// contracts (lib/contract.ts) describe themselves in it too.

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  enum?: readonly string[];
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  default?: unknown;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: ({ rule: string; fieldPath?: string } & (
    { message: string } | { messageExpression: string } | { message: string; messageExpression: string }
  ))[];
}
