import { describe, expect, it } from 'vitest';
import { ClusterProviderConfig, ClusterProviderConfigSpecCredentialsSource } from '../../imports/azure.m.upbound.io.js';
import { render } from '../../functions/k8tre/lib/manifest.js';
import { runFunction } from '../../functions/k8tre/handler.js';
import { networkWithEnvironments } from '../../scripts/bench/scenarios.js';
import { reconcileInProcess, type Json, type Reconciled } from '../../scripts/lib/in-process.js';
import { loadExample } from '../support/function.js';
import * as alertsmanagement from '../../imports/alertsmanagement.azure.m.upbound.io.js';
import * as applications from '../../imports/applications.azuread.m.upbound.io.js';
import * as authorization from '../../imports/authorization.azure.m.upbound.io.js';
import * as azure from '../../imports/azure.m.upbound.io.js';
import * as azuread from '../../imports/azuread.m.upbound.io.js';
import * as containerservice from '../../imports/containerservice.azure.m.upbound.io.js';
import * as dashboard from '../../imports/dashboard.azure.m.upbound.io.js';
import * as helm from '../../imports/helm.m.crossplane.io.js';
import * as insights from '../../imports/insights.azure.m.upbound.io.js';
import * as keyvault from '../../imports/keyvault.azure.m.upbound.io.js';
import * as kubernetes from '../../imports/kubernetes.m.crossplane.io.js';
import * as managedidentity from '../../imports/managedidentity.azure.m.upbound.io.js';
import * as network from '../../imports/network.azure.m.upbound.io.js';
import * as operationalinsights from '../../imports/operationalinsights.azure.m.upbound.io.js';
import * as protection from '../../imports/protection.crossplane.io.js';
import * as serviceprincipals from '../../imports/serviceprincipals.azuread.m.upbound.io.js';
import * as storage from '../../imports/storage.azure.m.upbound.io.js';

// render() returns a model's props as the manifest instead of the model's own toJson. Every
// resource the function composes for the examples (network, clusters of each role, and the XRs
// they compose), in every reconcile, must equal what its model's manifest() makes of it, once
// undefined fields are dropped, as the wire drops them.

const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

interface Model {
  readonly GVK: { readonly apiVersion: string; readonly kind: string };
  manifest(props: never): unknown;
}
const isModel = (value: unknown): value is Model => typeof value === 'function' && 'GVK' in value && 'manifest' in value;
const MODELS = new Map(
  [
    alertsmanagement,
    applications,
    authorization,
    azure,
    azuread,
    containerservice,
    dashboard,
    helm,
    insights,
    keyvault,
    kubernetes,
    managedidentity,
    network,
    operationalinsights,
    protection,
    serviceprincipals,
    storage,
  ]
    .flatMap((module) => Object.values(module).filter(isModel))
    .map((model) => [`${model.GVK.apiVersion} ${model.GVK.kind}`, model]),
);

/** Every resource composed in every reconcile of the XR and of the XRs it composes, as the function answered. */
function everyComposed(reconciled: Reconciled): Json[] {
  const composed = reconciled.requests.flatMap((request) => Object.values(runFunction(request).desired?.resources ?? {}).map((r) => r.resource as Json));
  return [...composed, ...[...reconciled.children.values()].flatMap(everyComposed)];
}

describe('render', () => {
  it("gives every example's resources exactly as the cdk8s models would", () => {
    const network = reconcileInProcess(loadExample('examples/network/k8tre.yaml'));
    const clusters = ['mgmt', 'dev', 'stg', 'prd'].map((env) => reconcileInProcess(loadExample(`examples/cluster/${env}.yaml`), { network: [network.xr] }));
    const others = ['examples/network/existing-hub.yaml', 'examples/network/internal-domain.yaml', 'examples/network/egress.yaml'].map((file) =>
      reconcileInProcess(loadExample(file)),
    );
    const composed = [network, ...clusters, ...others, reconcileInProcess(networkWithEnvironments(12))].flatMap(everyComposed);
    const checked = composed.flatMap((manifest) => {
      const model = MODELS.get(`${String(manifest.apiVersion)} ${String(manifest.kind)}`);
      return model ? [{ model, manifest }] : [];
    });
    // All but the package's own XRs and Kubernetes' core kinds (the Secret naming the providers' identity), which have no model.
    const unmodelled = composed.filter(
      (m) => !String(m.apiVersion).startsWith('azure.k8tre.io/') && m.apiVersion !== 'v1' && !MODELS.has(`${String(m.apiVersion)} ${String(m.kind)}`),
    );
    expect(new Set(unmodelled.map((m) => `${String(m.apiVersion)} ${String(m.kind)}`))).toEqual(new Set());
    expect(new Set(checked.map(({ model }) => model.GVK.kind)).size).toBeGreaterThanOrEqual(30);
    for (const { model, manifest } of checked) {
      const { apiVersion: _apiVersion, kind: _kind, ...props } = manifest;
      expect(wire(manifest), `${model.GVK.kind} ${JSON.stringify(manifest.metadata)}`).toEqual(wire(model.manifest(props as never)));
    }
  });

  it('would notice a model that renames a field, as provider-azure’s ClusterProviderConfig does', () => {
    // Its props say `clientId`; the JSON says `clientID`. The function composes no such model.
    const props = {
      metadata: { name: 'default' },
      spec: { credentials: { source: ClusterProviderConfigSpecCredentialsSource.OIDC_TOKEN_FILE }, clientId: 'x' },
    };
    expect(wire(render(ClusterProviderConfig, props))).not.toEqual(wire(ClusterProviderConfig.manifest(props)));
  });
});
