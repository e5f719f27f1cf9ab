import { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { reconcileInProcess } from './dist/scripts/lib/in-process.js';
import { runFunction } from './dist/functions/k8tre/handler.js';
const base = parse(readFileSync('examples/network/internal-domain.yaml', 'utf8'));
for (const n of [120, 140, 150, 160]) {
  const xr = {
    ...base,
    metadata: { ...base.metadata, name: 'k8tre-network-x'.slice(0, 15) },
    spec: {
      ...base.spec,
      addressPool: { cidr: '10.128.0.0/10', spokePrefixLength: 20 },
      environments: Array.from({ length: n }, (_, i) => ({ name: `environment${String(i).padStart(1, '0')}`.slice(0, 12) })),
    },
  };
  xr.spec.environments = xr.spec.environments.map((e, i) => ({ name: `envname${String(i).padStart(5, '0')}` }));
  const { requests } = reconcileInProcess(xr);
  const sizes = requests.map((r) => RunFunctionResponse.encode(runFunction(r)).finish().length);
  console.log(n, 'response bytes per round', sizes.map((s) => (s / 1048576).toFixed(2) + 'MiB').join(' '));
}
