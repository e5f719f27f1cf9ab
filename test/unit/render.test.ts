import { describe, expect, it } from 'vitest';
import { ClusterProviderConfig, ClusterProviderConfigSpecCredentialsSource } from '../../imports/azure.m.upbound.io.js';
import { observeRenders, render, type Manifest } from '../../functions/k8tre/lib/manifest.js';
import { networkWithEnvironments } from '../../scripts/bench/scenarios.js';
import { reconcileInProcess } from '../../scripts/lib/in-process.js';
import { loadExample, settledExampleResources } from '../support/function.js';

// render() returns a model's props as the manifest instead of the model's own toJson. Every
// render of every example (network, clusters of each role, reconcile after reconcile) must equal
// what the model's manifest() makes of the same props, once undefined fields are dropped, as
// the wire drops them.

const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

describe('render', () => {
  it("gives every example's resources exactly as the cdk8s models would", () => {
    const seen: { kind: string; fast: Manifest; exact: unknown }[] = [];
    observeRenders((model, props, rendered) => seen.push({ kind: model.GVK.kind, fast: rendered, exact: model.manifest(props as never) }));
    try {
      settledExampleResources();
      for (const file of ['examples/network/existing-hub.yaml', 'examples/network/internal-domain.yaml']) reconcileInProcess(loadExample(file));
      reconcileInProcess(networkWithEnvironments(12));
    } finally {
      observeRenders(undefined);
    }
    const kinds = new Set(seen.map((s) => s.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(25);
    for (const { kind, fast, exact } of seen) expect(wire(fast), kind).toEqual(wire(exact));
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
