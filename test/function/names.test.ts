import { describe, expect, it } from 'vitest';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { PACKAGE_TAGS, PACKAGE_TAGS_PER_RESOURCE } from '../../functions/k8tre/lib/labels.js';
import { azureNameClashes, kubernetesNameClashes, misfederated } from '../support/azure-names.js';
import { fatalMessage, loadExample, runWithRequired, settle, settledExampleResources, withField, type Json } from '../support/function.js';

// Names that collide: two composed resources that would be one Azure resource (the second takes
// over the first, or fails), one Kubernetes name used twice, or a federated credential that lets a
// service account act as another identity. Checked over everything the examples compose; the
// property tests check the same over generated XRs.

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;

describe('the example platform', () => {
  const resources = [
    ...settledExampleResources(),
    ...['examples/network/existing-hub.yaml', 'examples/network/internal-domain.yaml'].flatMap((file) =>
      Object.values(settle(loadExample(file), observe).observed),
    ),
  ];

  it('claims every Azure name once in its scope', () => {
    expect(resources.length).toBeGreaterThan(400);
    expect(azureNameClashes(resources)).toEqual([]);
  });

  it('leaves room for the user’s tags within Azure’s 50: no resource carries more of the package’s than the limit reserves', () => {
    const packageTagCounts = resources.map(
      (m) => Object.keys((m.spec as { forProvider?: { tags?: Json } } | undefined)?.forProvider?.tags ?? {}).filter((t) => PACKAGE_TAGS.includes(t)).length,
    );
    expect(Math.max(...packageTagCounts)).toBe(PACKAGE_TAGS_PER_RESOURCE);
  });

  it('uses every Kubernetes name once', () => {
    expect(kubernetesNameClashes(resources)).toEqual([]);
  });

  it("federates each identity with its own service accounts only: K8TRE's, ArgoCD's, and the ones the XRs ask for", () => {
    const asked = new Map<string, string[]>();
    const sa = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;
    for (const env of ['dev', 'stg', 'prd', 'mgmt']) {
      asked.set(`${env}-id-externaldns-identity`, [sa('externaldns', 'externaldns')]);
      asked.set(`${env}-id-certmanager-identity`, [sa('cert-manager', 'cert-manager')]);
    }
    asked.set('mgmt-id-argocd-identity', [sa('argocd', 'argocd-application-controller'), sa('argocd', 'argocd-server')]);
    asked.set('dev-id-jupyter-identity', [sa('jupyterhub', 'hub')]);
    expect(resources.filter((m) => m.kind === 'FederatedIdentityCredential').length).toBeGreaterThanOrEqual(10);
    expect(misfederated(resources, asked)).toEqual([]);
  });
});

describe('names the function refuses', () => {
  it('refuses a cluster named like its network: both would compose <name>-resource-group and more in one namespace', () => {
    const network = settle(loadExample('examples/network/k8tre.yaml'), observe).xr;
    const sameName = withField(loadExample('examples/cluster/dev.yaml'), 'metadata.name', 'k8tre');
    expect(fatalMessage(runWithRequired(sameName, { network: [network] }))).toBe(
      'invalid input: metadata.name: "k8tre" is the name of its XK8treNetwork; their composed resources would share names in namespace k8tre, so name the cluster differently',
    );
  });
});
