import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toCliInput } from '../../scripts/lib/yaml.js';

// What `npm start` and the render tests hand the Crossplane CLI (XRs, observed and required
// resources) is written as JSON: the CLI reads it as YAML 1.1, as Go's parser does.

describe('files for the CLI', () => {
  it('read back as the same document under YAML 1.1, whose implicit types would turn bare words into booleans, numbers or null', () => {
    const document = {
      apiVersion: 'k8tre.io/v1alpha1',
      kind: 'XK8treNetwork',
      metadata: { name: 'n', annotations: { note: 'line one\nline two: "quoted" \\ back\tslash' } },
      spec: {
        environments: ['n', 'y', 'yes', 'on', 'off', '~', 'null', '0x1F', '0o17', '1e3', '010', '1_000', '12:30:00', '2024-01-01', 'café', '…'],
        count: 3,
        on: true,
        none: null,
      },
    };
    expect(parse(toCliInput(document), { version: '1.1' })).toEqual(document);
  });

  it('makes a YAML stream of several documents when joined as the CLI takes them', () => {
    const documents = [{ kind: 'A' }, { kind: 'B', list: [1, 'two'] }];
    const stream = parseAllDocuments(documents.map(toCliInput).join('---\n'), { version: '1.1' });
    expect(Array.isArray(stream) && stream.map((doc) => doc.toJS() as unknown)).toEqual(documents);
  });
});
