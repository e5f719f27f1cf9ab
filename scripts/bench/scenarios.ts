import type { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { reconcileInProcess, type Json } from '../lib/in-process.js';
import { ROOT } from '../lib/paths.js';
import { limits } from '../../functions/k8tre/network/api.js';

// What the benchmark sends: for networks, the steady-state request (every composed resource
// observed and Ready, as on each poll of a running platform, the largest request the function
// answers); for a cluster, the request of every reconcile from first render to settled.

export interface Scenario {
  readonly name: string;
  readonly environments: number;
  readonly request: RunFunctionRequest;
}

const load = (file: string) => parse(readFileSync(join(ROOT, file), 'utf8')) as Json;

/**
 * The example network with `count` environments allocated from a /10 pool (1024 /20 spokes), as
 * many exposed through the gateway as Azure's listener limit allows.
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
        ...(i >= limits.exposedEnvironments.max && { exposed: false }),
      })),
    },
  };
}

/** Up to the XRD's limit (100): at 200 the answer no longer fits Crossplane's 4 MiB. */
export const NETWORK_SIZES = [1, 3, 10, 50, 100] as const;

export function networkScenarios(sizes: readonly number[] = NETWORK_SIZES): Scenario[] {
  return sizes.map((environments) => {
    const { requests } = reconcileInProcess(networkWithEnvironments(environments));
    const request = requests.at(-1);
    if (!request) throw new Error('no request');
    return { name: `network, ${environments} env${environments === 1 ? '' : 's'}, steady state`, environments, request };
  });
}

/** The dev cluster of the example network, one scenario per reconcile until it settles. */
export function clusterScenarios(): Scenario[] {
  const network = reconcileInProcess(load('examples/network/k8tre.yaml'));
  const { requests } = reconcileInProcess(load('examples/cluster/dev.yaml'), { network: [network.xr] });
  return requests.map((request, i) => ({ name: `cluster dev, reconcile ${i + 1} of ${requests.length}`, environments: 1, request }));
}
