import { stringify } from 'yaml';

/**
 * YAML for Kubernetes and the Crossplane CLI, which read YAML 1.1: strings such as `n`, `on`
 * or `yes` are quoted so they stay strings there (an environment named `n` is a boolean to Go's
 * parser if written bare, as YAML 1.2 allows).
 */
export function toKubernetesYaml(document: unknown, options: { lineWidth?: number; aliasDuplicateObjects?: boolean } = {}): string {
  return stringify(document, { version: '1.1', ...options });
}

/**
 * A file for the Crossplane CLI to read and nobody else: JSON, which its YAML reader takes as
 * is. Every string comes out quoted, so YAML 1.1's booleans cannot catch one, and writing it
 * costs a tenth of YAML's: `npm start` writes every XR, observed and required resource it hands
 * the CLI this way.
 */
export function toCliInput(document: unknown): string {
  return `${JSON.stringify(document)}\n`;
}
