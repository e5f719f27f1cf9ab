import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toCliInput } from '../../scripts/lib/yaml.js';

// What `npm start` hands the Crossplane CLI (XRs, observed and required resources, through
// scripts/lib/settle.ts and reconcile.ts) is written as JSON. The CLI splits a file into
// documents on lines that start with `---`, then reads each as YAML 1.1 (go.yaml.in/yaml/v2).

describe('files for the CLI', () => {
  it('hold each document on one line, so that no line of its content can split it and several join into a stream with ---', () => {
    const document = { metadata: { annotations: { note: 'one\n---\ntwo' } }, spec: { list: [{ a: 1 }, { b: [2, 3] }] } };
    const text = toCliInput(document);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.slice(0, -1)).not.toContain('\n');
  });

  it('keep strings that YAML 1.1 would read as booleans, numbers, null, dates or a merge key as strings', () => {
    const words = ['n', 'y', 'yes', 'on', 'off', '~', 'null', '0x1F', '1e3', '010', '1_000', '12:30:00', '2024-01-01'];
    const document = { metadata: { name: 'n' }, spec: { environments: words, '<<': 'merge', on: true, none: null, count: 3 } };
    expect(parse(toCliInput(document), { version: '1.1' })).toEqual(document);
  });

  it.each([
    ['DEL and the C1 controls, which YAML refuses in any string', '\u007f\u0080\u009f', '\\u007f\\u0080\\u009f'],
    ['NEL, which YAML folds into a space', 'a\u0085b', 'a\\u0085b'],
    ['the line and paragraph separators, around which YAML drops spaces', 'a \u2028 b \u2029 c', 'a \\u2028 b \\u2029 c'],
    ['the noncharacters U+FFFE and U+FFFF, which YAML refuses', '\ufffe\uffff', '\\ufffe\\uffff'],
  ])('escape %s, and read back the same', (_why, value, escaped) => {
    const text = toCliInput({ value });
    expect(text).toBe(`{"value":"${escaped}"}\n`);
    expect(JSON.parse(text)).toEqual({ value });
  });
});
