import type { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { reconcileInProcess, type Json } from '../lib/in-process.js';
import { ROOT } from '../lib/paths.js';
import { keys } from '../../functions/k8tre/cluster/naming.js';

// What the benchmark sends: for networks, the steady-state request (every composed resource
// observed and Ready, as on each poll of a running platform, the largest request the function
// answers); for a cluster, the request of every reconcile from first render to settled, and its
// data stores', identity group's and largest identity's at steady state.

export interface Scenario {
  readonly name: string;
  readonly environments: number;
  readonly request: RunFunctionRequest;
}

const load = (file: string) => parse(readFileSync(join(ROOT, file), 'utf8')) as Json;

/**
 * The example network with `count` environments allocated from a /10 pool (1024 /20 spokes), all
 * exposed through the gateways.
 */
export function networkWithEnvironments(count: number): Json {
  const base = load('examples/network/k8tre.yaml');
  const spec = base.spec as Json;
  return {
    ...base,
    spec: {
      ...spec,
      addressPool: { cidr: '10.128.0.0/10', spokePrefixLength: 20 },
      environments: Array.from({ length: count }, (_, i) => ({
        name: `env${String(i + 1).padStart(3, '0')}`,
      })),
    },
  };
}

/** Sizes of network benchmarked; the tree ones (network, its largest spoke group, one spoke) at 3, 100 and 250. */
export const NETWORK_SIZES = [1, 3, 10, 50, 100, 250] as const;
export const TREE_SIZES = [3, 100, 250] as const;

/**
 * Each size's network at steady state; at the tree sizes, also its fullest spoke group and one of
 * its spokes, each at steady state: every XR of the tree answers its own call.
 */
export function networkScenarios(sizes: readonly number[] = NETWORK_SIZES, treeSizes: readonly number[] = TREE_SIZES): Scenario[] {
  return sizes.flatMap((environments) => {
    const network = reconcileInProcess(networkWithEnvironments(environments));
    const envs = `${environments} env${environments === 1 ? '' : 's'}`;
    const scenarios: Scenario[] = [{ name: `network, ${envs}, steady state`, environments, request: lastRequest(network) }];
    if (!treeSizes.includes(environments)) return scenarios;
    const groups = [...network.children.values()].sort((a, b) => b.children.size - a.children.size);
    const group = groups[0];
    const spoke = group && [...group.children.values()][0];
    if (!group || !spoke) throw new Error(`a network of ${envs} composed no spoke`);
    scenarios.push(
      { name: `spoke group of ${group.children.size}, ${envs}, steady state`, environments, request: lastRequest(group) },
      { name: `spoke, ${envs}, steady state`, environments, request: lastRequest(spoke) },
    );
    return scenarios;
  });
}

function lastRequest(reconciled: { readonly requests: readonly RunFunctionRequest[] }): RunFunctionRequest {
  const request = reconciled.requests.at(-1);
  if (!request) throw new Error('no request');
  return request;
}

/** The dev cluster of the example network, one scenario per reconcile until it settles; then its children at steady state. */
export function clusterScenarios(): Scenario[] {
  const network = reconcileInProcess(load('examples/network/k8tre.yaml'));
  const cluster = reconcileInProcess(load('examples/cluster/dev.yaml'), { network: [network.xr] });
  const stores = cluster.children.get(keys.dataStores);
  const identities = cluster.children.get(keys.identityGroup(0));
  const externalDns = identities?.children.get('externaldns');
  if (!stores || !identities || !externalDns) throw new Error('the dev cluster composed no data stores, identity group or external-dns identity');
  return [
    ...cluster.requests.map((request, i) => ({ name: `cluster dev, reconcile ${i + 1} of ${cluster.requests.length}`, environments: 1, request })),
    { name: 'data stores of cluster dev, steady state', environments: 1, request: lastRequest(stores) },
    { name: 'identity group of cluster dev, steady state', environments: 1, request: lastRequest(identities) },
    { name: 'external-dns identity of cluster dev, steady state', environments: 1, request: lastRequest(externalDns) },
  ];
}
