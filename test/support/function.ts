import type { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { fatalMessage, reconcileInProcess, runAsCrossplane, treeResources, type Json } from '../../scripts/lib/in-process.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';

// Calls the function's handler in-process, for tests that need many quick runs. Render tests
// go through the real CLI instead.

export { fatalMessage, type Json };

/** The example's XR: its first document (examples/network/egress.yaml also holds a cluster). */
export function loadExample(path: string): Json {
  return loadExamples(path)[0] ?? {};
}

export function loadExamples(path: string): Json[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => doc.toJSON() as Json);
}

export function run(xr: Json, observed: Record<string, Json> = {}): RunFunctionResponse {
  return runWithRequired(xr, {}, observed);
}

export function desiredNames(rsp: RunFunctionResponse): string[] {
  return Object.keys(rsp.desired?.resources ?? {}).sort();
}

export function desired(rsp: RunFunctionResponse, name: string): Json {
  const resource = rsp.desired?.resources[name]?.resource;
  if (!resource) throw new Error(`no desired resource ${name}`);
  return resource;
}

export function status(rsp: RunFunctionResponse): Json {
  return (rsp.desired?.composite?.resource?.status ?? {}) as Json;
}

/** A deep copy with `patch` applied at a dotted path, for building variants of an example. */
export function withField(xr: Json, path: string, value: unknown): Json {
  const copy = structuredClone(xr);
  const keys = path.split('.');
  let node: Json = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Json;
  }
  const last = keys.at(-1) ?? '';
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** Runs the function with required resources, as Crossplane does after a requirement. */
export function runWithRequired(xr: Json, required: Record<string, Json[]>, observed: Record<string, Json> = {}): RunFunctionResponse {
  return runAsCrossplane(xr, required, observed);
}

/**
 * Reconciles an XR in-process until no new resource appears, with every desired resource
 * fed back as observed and Ready (see scripts/lib/in-process.ts). Returns the XR with its
 * final status and the observed resources.
 */
export function settle(
  xr: Json,
  asObserved: (manifest: Json) => Json,
  required: Record<string, Json[]> = {},
): { xr: Json; observed: Record<string, Json>; tree: Record<string, Json> } {
  const reconciled = reconcileInProcess(xr, required, asObserved, 8);
  return { xr: reconciled.xr, observed: reconciled.observed, tree: treeResources(reconciled) };
}

/** An environment's spoke resources in a settled network's tree (`<group>/<environment>/<key>`), by the spoke's key. */
export function spokeOf(tree: Record<string, Json>, environment: string): Record<string, Json> {
  const pattern = new RegExp(`^spokes-[0-9]+/${environment}/(.+)$`);
  return Object.fromEntries(
    Object.entries(tree).flatMap(([name, manifest]) => {
      const key = pattern.exec(name)?.[1];
      return key ? [[key, manifest]] : [];
    }),
  );
}

/**
 * Every resource the example platform composes once settled in-process (the network and the
 * dev, stg, prd and mgmt clusters), as the simulated providers report them.
 */
export function settledExampleResources(): Json[] {
  const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
  const network = settle(loadExample('examples/network/k8tre.yaml'), observe);
  const clusters = ['dev', 'stg', 'prd', 'mgmt'].map((env) => settle(loadExample(`examples/cluster/${env}.yaml`), observe, { network: [network.xr] }));
  return [network, ...clusters].flatMap((settled) => Object.values(settled.tree));
}

/** An example network settled in-process, as the simulated providers report its resources. */
export function settledNetwork(path = 'examples/network/k8tre.yaml'): ReturnType<typeof settle> {
  return settle(loadExample(path), (manifest: Json) => asObserved(manifest as Manifest));
}

/** examples/cluster/dev.yaml settled in-process against the settled example network. */
export function settledDevCluster(): { required: Record<string, Json[]>; xr: Json; observed: Record<string, Json>; tree: Record<string, Json> } {
  const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
  const required = { network: [settle(loadExample('examples/network/k8tre.yaml'), observe).xr] };
  return { required, ...settle(loadExample('examples/cluster/dev.yaml'), observe, required) };
}

/** A cluster's data stores in its settled tree (`data-stores/<key>`), by their key in the XK8treDataStores. */
export function storesOf(tree: Record<string, Json>): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(tree).flatMap(([name, manifest]) => (name.startsWith('data-stores/') ? [[name.slice('data-stores/'.length), manifest]] : [])),
  );
}

/** The data stores a cluster's answer asks for, composed in-process from what they observe. */
export function composedStores(rsp: RunFunctionResponse, observed: Record<string, Json> = {}): RunFunctionResponse {
  const xr = desired(rsp, 'data-stores');
  return runAsCrossplane({ ...xr, metadata: { namespace: 'k8tre', ...(xr.metadata as Json) } }, {}, observed);
}
