import { stringify } from 'yaml';

/**
 * YAML for Kubernetes and the Crossplane CLI, which read YAML 1.1: strings such as `n`, `on`
 * or `yes` are quoted so they stay strings there (an environment named `n` is a boolean to Go's
 * parser if written bare, as YAML 1.2 allows).
 */
export function toKubernetesYaml(document: unknown, options: { lineWidth?: number; aliasDuplicateObjects?: boolean } = {}): string {
  return stringify(document, { version: '1.1', ...options });
}

const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g;

/**
 * A file for the Crossplane CLI to read and nobody else: JSON, one line per document, which its
 * YAML reader (go.yaml.in/yaml/v2, after splitting the file on `---` lines) takes as it is. Every
 * string comes out quoted, so YAML 1.1's booleans and merge keys cannot catch one, and writing it
 * costs a small fraction of writing YAML: `npm start` hands the CLI every XR, observed and
 * required resource this way. The characters YAML refuses or folds even in a quoted string (DEL,
 * the C1 controls with NEL among them, the line and paragraph separators, U+FFFE and U+FFFF),
 * which JSON.stringify leaves raw, are written as JSON escapes.
 */
export function toCliInput(document: unknown): string {
  return `${JSON.stringify(document).replace(YAML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
