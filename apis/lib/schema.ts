// Small builders for the OpenAPI v3 schemas inside XRDs. They keep the definitions readable
// and turn the function's JavaScript patterns into the RE2 syntax the API server runs.

import type { Schema } from '../../functions/k8tre/lib/openapi.js';

export type { Schema };

type Extra = Omit<Schema, 'type' | 'description'>;

/**
 * The field cannot change once set: a CEL transition rule, which the API server checks on update
 * (kubectl apply and ArgoCD see the refusal). `why` says what the change would do in Azure.
 */
export function immutable(schema: Schema, why: string): Schema {
  // A real API server estimates `string(oldSelf)` beyond the CRD cost budget whatever the
  // field's maxLength, and refuses the whole CRD (kube-apiserver 1.35, found by `npm run e2e`);
  // concatenating oldSelf itself is costed from maxLength. Hence strings only, and bounded.
  if (schema.type !== 'string' || (schema.maxLength === undefined && schema.enum === undefined)) {
    throw new Error(`immutable() takes a string with maxLength or enum, for the CEL cost estimate: ${why}`);
  }
  // "<field> cannot change: <reason>" becomes "<field> cannot change from <value in force>: <reason>";
  // `message` stays as the fallback should the expression fail.
  const [head, ...reason] = why.split(': ');
  const messageExpression = `${celString(`${head} from `)} + oldSelf + ${celString(`: ${reason.join(': ')}`)}`;
  return {
    ...schema,
    'x-kubernetes-validations': [...(schema['x-kubernetes-validations'] ?? []), { rule: 'self == oldSelf', message: why, messageExpression }],
  };
}

import { celString } from '../../functions/k8tre/lib/cel.js';

export { celList, celString } from '../../functions/k8tre/lib/cel.js';

/** RE2 has no regex flags; case-insensitivity becomes an inline (?i). */
export function re2(pattern: RegExp): string {
  return `${pattern.flags.includes('i') ? '(?i)' : ''}${pattern.source}`;
}

export function string(description: string, extra: Extra = {}): Schema {
  return { type: 'string', description, ...extra };
}

export function matching(description: string, rule: { pattern: RegExp; maxLength?: number }, extra: Extra = {}): Schema {
  return string(description, { pattern: re2(rule.pattern), maxLength: rule.maxLength ?? 256, ...extra });
}

export function integer(description: string, range: { min: number; max: number }, extra: Extra = {}): Schema {
  return { type: 'integer', description, minimum: range.min, maximum: range.max, ...extra };
}

export function boolean(description: string, extra: Extra = {}): Schema {
  return { type: 'boolean', description, ...extra };
}

export function object(description: string, properties: Record<string, Schema>, extra: Extra = {}): Schema {
  return { type: 'object', description, properties, ...extra };
}

export function array(description: string, items: Schema, extra: Extra = {}): Schema {
  return { type: 'array', description, items, ...extra };
}

export function oneOf(description: string, values: readonly string[], extra: Extra = {}): Schema {
  return { type: 'string', description, enum: values, ...extra };
}

const CIDR = /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\/([0-9]|[12][0-9]|3[0-2])$/;

/** An IPv4 CIDR field whose prefix length is checked by CEL as well as by the pattern. */
export function cidr(description: string, range: { min: number; max: number }, extra: Extra = {}): Schema {
  return matching(
    `${description} IPv4 CIDR, /${range.min} to /${range.max}.`,
    { pattern: CIDR },
    {
      maxLength: 18,
      'x-kubernetes-validations': [
        {
          rule: `int(self.split('/')[1]) >= ${range.min} && int(self.split('/')[1]) <= ${range.max}`,
          message: `prefix length must be /${range.min} to /${range.max}`,
        },
      ],
      ...extra,
    },
  );
}
