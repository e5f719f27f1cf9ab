import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaults } from '../../functions/k8tre/cluster/api.js';
import { cmpPluginConfigMap, cmpRepoServer } from '../../functions/k8tre/cluster/management.js';
import { ROOT } from '../../scripts/lib/paths.js';
import { FUNCTION_NAME } from '../../apis/package.js';
import { breakerSettingsFromEnv, CROSSPLANE_DEFAULT_BREAKER } from '../../functions/k8tre/lib/pacing.js';
import { gitopsCrossplaneArgs } from '../../e2e/lib/crossplane.js';
import { breakerSettings } from '../../e2e/lib/xr-watch-demand.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { expectValid, useRenderSession } from '../support/render.js';
import { loadExample, settle, type Json } from '../support/function.js';

// The GitOps example (examples/gitops): every manifest validates against its schema (ArgoCD's
// from @kubernetes-models/argo-cd, Kubernetes' from kubernetes-models, Crossplane's and the
// providers' through `crossplane resource validate`), and the pieces agree with each other and
// with the package: paths that exist, waves in order, identities that match.

const GITOPS = join(ROOT, 'examples', 'gitops');
const HELM_VALUES = join(GITOPS, 'bootstrap', 'argocd-values.yaml');
const session = useRenderSession();

interface Doc {
  file: string;
  manifest: Json & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return entry.name.endsWith('.yaml') && path !== HELM_VALUES ? [path] : [];
  });
}

const docs: Doc[] = yamlFiles(GITOPS).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => ({ file: relative(ROOT, file), manifest: doc.toJS() as Doc['manifest'] })),
);
const ofKind = (kind: string) => docs.filter((doc) => doc.manifest.kind === kind).map((doc) => doc.manifest);
const applications = () => ofKind('Application') as unknown as ApplicationManifest[];

interface ApplicationManifest {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    project: string;
    source: { repoURL: string; path?: string; chart?: string; targetRevision: string; directory?: { include?: string } };
    syncPolicy?: { syncOptions?: string[]; automated?: { prune?: boolean } };
  };
}

const schemaModels: Record<string, (manifest: Json) => { validate(): void }> = {
  'argoproj.io/v1alpha1/Application': (m) => new Application(m as never),
  'argoproj.io/v1alpha1/AppProject': (m) => new AppProject(m as never),
  'v1/ConfigMap': (m) => new ConfigMap(m),
  'v1/ServiceAccount': (m) => new ServiceAccount(m),
  'rbac.authorization.k8s.io/v1/Role': (m) => new Role(m),
  'rbac.authorization.k8s.io/v1/RoleBinding': (m) => new RoleBinding(m as never),
};
// Crossplane's own kinds, the providers' and this package's XRs: `crossplane resource validate`.
const isCrossplaneApi = (apiVersion: string) => /(^|\.)crossplane\.io\/|\.m\.upbound\.io\/|^azure\.k8tre\.io\//.test(apiVersion);
const wave = (app: ApplicationManifest) => Number(app.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
const app = (name: string) => {
  const found = applications().find((a) => a.metadata.name === name);
  if (!found) throw new Error(`no Application ${name}`);
  return found;
};

describe('examples/gitops manifests', () => {
  it('each validates against its schema, and none goes unchecked', async () => {
    const crossplane: Json[] = [];
    for (const { file, manifest } of docs) {
      const model = schemaModels[`${manifest.apiVersion}/${manifest.kind}`];
      if (model) expect(() => model(manifest).validate(), `${file}: ${manifest.kind} ${manifest.metadata.name}`).not.toThrow();
      else if (isCrossplaneApi(manifest.apiVersion)) crossplane.push(manifest);
      else throw new Error(`${file}: no schema to validate ${manifest.apiVersion} ${manifest.kind} against`);
    }
    expect(crossplane.map((m) => m.kind)).toEqual(expect.arrayContaining(['Provider', 'Configuration', 'DeploymentRuntimeConfig', 'ClusterProviderConfig']));
    await expectValid(crossplane.map((m) => toKubernetesYaml(m)).join('---\n'));
  });

  it('the schema checks catch a malformed Application', () => {
    const broken = structuredClone(app('k8tre-dev')) as unknown as Json;
    (broken.spec as Json).syncPolicy = { syncOptions: 'CreateNamespace=true' };
    expect(() => new Application(broken as never).validate()).toThrow(/syncOptions must be array/);
  });
});

describe('the app of apps', () => {
  it('points every Application at a path of this repository that holds what it expects', () => {
    const root = docs.find((d) => d.manifest.kind === 'Application' && d.file.includes('bootstrap'))!.manifest as unknown as ApplicationManifest;
    expect(existsSync(join(ROOT, root.spec.source.path!))).toBe(true);
    for (const a of applications().filter((a) => a.spec.source.path)) {
      const dir = join(ROOT, a.spec.source.path!);
      expect(existsSync(dir), `${a.metadata.name}: ${a.spec.source.path}`).toBe(true);
      const include = a.spec.source.directory?.include;
      if (include) expect(existsSync(join(dir, include)), `${a.metadata.name}: ${include}`).toBe(true);
    }
  });

  it('syncs Crossplane, then its packages, then the network, then dev, stg and prd', () => {
    const order = ['crossplane', 'k8tre-crossplane-packages', 'k8tre-network', 'k8tre-dev', 'k8tre-stg', 'k8tre-prd'].map((name) => wave(app(name)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(order.length);
  });

  it('syncs each XR in its own Application, never pruned, with dry runs skipped while the XRD is new', () => {
    const xrApps = applications().filter((a) => a.spec.source.directory?.include);
    expect(xrApps.map((a) => a.metadata.name).sort()).toEqual(['k8tre-dev', 'k8tre-network', 'k8tre-prd', 'k8tre-stg']);
    for (const a of xrApps) {
      const xr = loadExample(join(a.spec.source.path!, a.spec.source.directory!.include!));
      expect(['XK8treNetwork', 'XK8treCluster']).toContain(xr.kind);
      expect(a.spec.syncPolicy?.automated?.prune, a.metadata.name).toBe(false);
      expect(a.spec.syncPolicy?.syncOptions).toContain('SkipDryRunOnMissingResource=true');
    }
  });

  it('deploys the cluster XRs into the network XR it syncs first, which composes them a cluster each', () => {
    const networkApp = app('k8tre-network').spec.source;
    const network = loadExample(join(networkApp.path!, networkApp.directory!.include!)) as Json & { metadata: { name: string; namespace: string } };
    const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
    const settledNetwork = settle(network, observe);
    for (const env of ['dev', 'stg', 'prd']) {
      const cluster = loadExample(`examples/cluster/${env}.yaml`) as Json & { metadata: { namespace: string }; spec: { networkRef: { name: string } } };
      expect(cluster.spec.networkRef.name).toBe(network.metadata.name);
      expect(cluster.metadata.namespace).toBe(network.metadata.namespace);
      const kinds = Object.values(settle(cluster, observe, { network: [settledNetwork.xr] }).observed).map((m) => m.kind);
      expect(kinds, env).toContain('KubernetesCluster');
    }
  });

  it("renders the walkthrough's network through the real CLI, valid against the XRD and the provider CRDs", async () => {
    const result = await session().render('examples/gitops/platform/network.yaml');
    expect(result.ok, result.stderr).toBe(true);
    await expectValid(result.stdout);
  });

  it('allows every Application only the repositories and namespaces its project names', () => {
    const project = ofKind('AppProject')[0] as unknown as {
      metadata: { name: string };
      spec: { sourceRepos: string[]; destinations: { namespace: string }[] };
    };
    for (const a of applications()) {
      const destination = (a as unknown as { spec: { destination: { namespace: string } } }).spec.destination.namespace;
      expect(a.spec.project).toBe(project.metadata.name);
      expect(project.spec.sourceRepos).toContain(a.spec.source.repoURL);
      expect(project.spec.destinations.map((d) => d.namespace)).toContain(destination);
    }
  });
});

interface ArgoCdValues {
  configs: { cm: { create: boolean } };
  controller: { serviceAccount: { annotations: Record<string, string> }; podLabels: Record<string, string> };
  server: { serviceAccount: { annotations: Record<string, string> }; podLabels: Record<string, string> };
  repoServer: unknown;
  extraObjects: { kind: string; data: Record<string, string> }[];
}
const values = parse(readFileSync(HELM_VALUES, 'utf8')) as ArgoCdValues;

describe('the bootstrap ArgoCD', () => {
  it("runs K8TRE's CMP exactly as the role: Management ArgoCD does", () => {
    expect(values.repoServer).toEqual(cmpRepoServer(defaults.argocdCmpImage));
    const [configMap, ...others] = values.extraObjects;
    expect(others).toEqual([]);
    const expected = cmpPluginConfigMap();
    expect({ ...configMap, data: undefined }).toEqual({ ...expected, data: undefined });
    expect(parse(configMap!.data['plugin.yaml']!)).toEqual(parse(expected.data['plugin.yaml']));
  });
});

describe('identities and access', () => {
  const dev = loadExample('examples/cluster/dev.yaml') as {
    spec: {
      management: {
        providerIdentity: { clientId: string };
        argocd: { controllerIdentity: { clientId: string }; providerConfigRef: { kind: string; name: string } };
      };
    };
  };

  it('runs every provider the Configuration depends on, at its pinned version, with a workload identity', () => {
    const meta = parse(readFileSync(join(ROOT, 'crossplane.yaml'), 'utf8')) as { spec: { dependsOn: { kind: string; package: string; version: string }[] } };
    const pinned = meta.spec.dependsOn.filter((d) => d.kind === 'Provider').map((d) => `${d.package}:${d.version}`);
    const providers = ofKind('Provider') as unknown as { spec: { package: string; runtimeConfigRef: { name: string } } }[];
    expect(providers.map((p) => p.spec.package).sort()).toEqual(pinned.sort());
    const runtimes = new Set(ofKind('DeploymentRuntimeConfig').map((r) => r.metadata.name));
    for (const p of providers) expect(runtimes).toContain(p.spec.runtimeConfigRef.name);
  });

  it("installs the function under the name the Configuration's dependency has, telling it the breaker settings Crossplane runs with", () => {
    // A function told less than Crossplane allows composes in steps it need not take; told more,
    // it composes faster than the breaker lets events through, and XRs turn Responsive=False.
    const [fn] = ofKind('Function') as unknown as { metadata: { name: string }; spec: { runtimeConfigRef: { name: string } } }[];
    expect(fn?.metadata.name).toBe(FUNCTION_NAME);
    const runtime = ofKind('DeploymentRuntimeConfig').find((r) => r.metadata.name === fn?.spec.runtimeConfigRef.name) as
      { spec: { deploymentTemplate: { spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[] } } } } } } | undefined;
    const env = Object.fromEntries((runtime?.spec.deploymentTemplate.spec.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    expect(breakerSettingsFromEnv(env)).toEqual(breakerSettings(gitopsCrossplaneArgs()));
    expect(breakerSettingsFromEnv(env)).not.toEqual(CROSSPLANE_DEFAULT_BREAKER);
  });

  it('gives provider-helm and provider-kubernetes the identity the clusters grant cluster admin', () => {
    const account = ofKind('ServiceAccount').find((sa) => sa.metadata.name === 'provider-incluster');
    expect(account?.metadata.annotations?.['azure.workload.identity/client-id']).toBe(dev.spec.management.providerIdentity.clientId);
  });

  // Both run the cluster Secrets' `argocd-k8s-auth azure` exec: the controller to sync, the server
  // for live state, logs and exec.
  it.each(['controller', 'server'] as const)('runs the ArgoCD %s as the identity the clusters register for', (component) => {
    expect(values.configs.cm.create).toBe(false);
    expect(values[component].serviceAccount.annotations['azure.workload.identity/client-id']).toBe(dev.spec.management.argocd.controllerIdentity.clientId);
    expect(values[component].podLabels['azure.workload.identity/use']).toBe('true');
  });

  it('provides the ProviderConfig the clusters register through, allowed to write exactly their cluster Secrets', () => {
    const ref = dev.spec.management.argocd.providerConfigRef;
    expect(ofKind(ref.kind).some((pc) => pc.apiVersion.startsWith('kubernetes.m.crossplane.io/') && pc.metadata.name === ref.name)).toBe(true);
    const role = ofKind('Role')[0] as unknown as { rules: { verbs: string[]; resourceNames?: string[] }[] };
    const named = role.rules.filter((rule) => rule.resourceNames);
    expect(named.flatMap((rule) => rule.resourceNames)).toEqual(['dev', 'stg', 'prd'].map((env) => `k8tre-${env}-cluster`));
    for (const rule of role.rules.filter((rule) => !rule.resourceNames)) expect(rule.verbs).toEqual(['create']);
  });
});
