import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { defaults, enums, GROUP, limits, VERSION } from '../../functions/k8tre/network/api.js';
import { PACKAGE_TAGS } from '../../functions/k8tre/lib/labels.js';
import { CompositeResourceDefinitionV2, CompositeResourceDefinitionV2SpecScope } from '../../imports/apiextensions.crossplane.io.js';
import { celList, celString, object, oneOf, string, type Schema } from './schema.js';

/** Every API's XRD: Crossplane v2, namespaced, one served version with the given schema. */
export class XrdChart extends Chart {
  constructor(
    scope: Construct,
    id: string,
    props: { kind: string; plural: string; printerColumns: { name: string; jsonPath: string }[]; spec: Schema; status: Schema },
  ) {
    super(scope, id);
    new CompositeResourceDefinitionV2(this, 'definition', {
      metadata: { name: `${props.plural}.${GROUP}` },
      spec: {
        group: GROUP,
        names: { kind: props.kind, plural: props.plural, categories: ['crossplane', 'k8tre'] },
        // Written out: `crossplane resource validate` reads XRDs as v1, where a missing scope means LegacyCluster.
        scope: CompositeResourceDefinitionV2SpecScope.NAMESPACED,
        versions: [
          {
            name: VERSION,
            served: true,
            referenceable: true,
            additionalPrinterColumns: props.printerColumns.map((c) => ({ ...c, type: 'string' })),
            schema: { openApiv3Schema: object(props.kind, { spec: props.spec, status: props.status }, { required: ['spec'] }) },
          },
        ],
      },
    });
  }
}

/** Fields every API's spec shares. */
export const commonSpecFields = {
  providerConfigRef: object(
    'The provider-azure config used for every resource.',
    { kind: oneOf('ProviderConfig kind.', enums.providerConfigKind), name: string('ProviderConfig name.', { maxLength: 253 }) },
    { default: { ...defaults.providerConfigRef }, required: ['kind', 'name'] },
  ),
  tags: {
    type: 'object',
    description: `Azure tags added to every taggable resource: names of up to ${limits.tags.maxKey} characters, without <>%&\\?/.`,
    additionalProperties: { type: 'string', maxLength: limits.tags.maxValue },
    maxProperties: limits.tags.maxEntries,
    'x-kubernetes-validations': [
      {
        rule: `self.all(k, size(k) <= ${limits.tags.maxKey} && !k.matches(${celString(limits.tags.forbiddenKey.pattern.source)}))`,
        message: limits.tags.forbiddenKey.describe,
      },
      {
        rule: `self.all(k, !(k.lowerAscii() in ${celList(PACKAGE_TAGS)}))`,
        message: `${PACKAGE_TAGS.join(', ')} are the package's tags`,
      },
    ],
  } as Schema,
};
