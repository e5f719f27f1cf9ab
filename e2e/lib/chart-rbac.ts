import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube.js';

// Crossplane's own ClusterRoles and bindings, read from its Helm chart in the core module (Go
// module cache), so that Crossplane and its RBAC manager run with exactly the permissions a
// Helm install gives them. No Helm binary is needed: these templates use only whole-line
// conditionals and a few names, rendered here for the chart's defaults with the RBAC manager
// deployed. Anything else in a template fails loudly, so a chart change cannot slip through.

const RBAC_TEMPLATES = [
  'clusterrole.yaml',
  'clusterrolebinding.yaml',
  'rbac-manager-clusterrole.yaml',
  'rbac-manager-clusterrolebinding.yaml',
  'rbac-manager-managed-clusterroles.yaml',
  'rbac-manager-allowed-provider-permissions.yaml',
];

export const CROSSPLANE_NAMESPACE = 'crossplane-system';

/** The chart values these templates branch on, at the chart's defaults. */
const CONDITIONS: Record<string, boolean> = {
  '.Values.rbacManager.deploy': true,
  '.Values.rbacManager.skipAggregatedClusterRoles': false,
  '.Values.serviceAccount.create': true,
};

const SUBSTITUTIONS: Record<string, string> = {
  'template "crossplane.name" .': 'crossplane',
  '.Chart.Name': 'crossplane',
  '.Release.Name': 'crossplane',
  '.Release.Namespace': CROSSPLANE_NAMESPACE,
  '.Values.serviceAccount.name': 'crossplane',
};

/** The chart's RBAC objects. `chartDir` is the core module's cluster/charts/crossplane. */
export function chartRbac(chartDir: string): KubeObject[] {
  return RBAC_TEMPLATES.flatMap((file) => {
    const text = renderTemplate(readFileSync(join(chartDir, 'templates', file), 'utf8'), file);
    return parseAllDocuments(text)
      .map((doc) => doc.toJS() as KubeObject | null)
      .filter((object): object is KubeObject => object !== null);
  });
}

export function renderTemplate(template: string, file: string): string {
  const out: string[] = [];
  // One entry per open conditional: is its current branch emitted?
  const branches: { emit: boolean; taken: boolean }[] = [];
  const emitting = () => branches.every((b) => b.emit);
  for (const [index, line] of template.split('\n').entries()) {
    const directive = /^\s*\{\{-?\s*(if|else|end)\b\s*(.*?)\s*-?\}\}\s*$/.exec(line);
    if (directive) {
      const [, keyword, argument = ''] = directive;
      if (keyword === 'if') {
        const value = evaluate(argument, file, index);
        branches.push({ emit: value, taken: value });
      } else if (keyword === 'else') {
        if (argument !== '') throw new Error(`${file}:${index + 1}: cannot evaluate "else ${argument}"`);
        const top = branches.at(-1);
        if (!top) throw new Error(`${file}:${index + 1}: else without if`);
        top.emit = !top.taken;
      } else if (!branches.pop()) throw new Error(`${file}:${index + 1}: end without if`);
      continue;
    }
    if (!emitting()) continue;
    // Chart labels are decoration; the objects' names and rules are what RBAC reads.
    if (/\{\{-?\s*include "crossplane\.labels"/.test(line)) continue;
    const rendered = line.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (whole, expression: string) => {
      const value = SUBSTITUTIONS[expression];
      if (value === undefined) throw new Error(`${file}:${index + 1}: cannot render ${whole}`);
      return value;
    });
    out.push(rendered);
  }
  if (branches.length > 0) throw new Error(`${file}: unterminated if`);
  return out.join('\n');
}

function evaluate(argument: string, file: string, index: number): boolean {
  const negated = /^not\s+(.*)$/.exec(argument);
  const name = negated?.[1] ?? argument;
  const value = CONDITIONS[name];
  if (value === undefined) throw new Error(`${file}:${index + 1}: cannot evaluate "if ${argument}"`);
  return negated ? !value : value;
}
