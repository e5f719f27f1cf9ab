import { describe, expect, it } from 'vitest';
import { clusterStatusContract } from '../../functions/k8tre/cluster/status.js';
import { networkStatusContract } from '../../functions/k8tre/network/status.js';
import type { Schema } from '../../functions/k8tre/lib/openapi.js';
import * as c from '../../functions/k8tre/lib/contract.js';
import { reconcileInProcess } from '../../scripts/lib/in-process.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { loadExample, settle, type Json } from '../support/function.js';

// The API server prunes status fields its XRD's schema does not declare, silently: a field the
// function wrote but the contract forgot would never reach the cluster that reads the network, or
// the user. Every status the examples settle to must fit its contract, field by field and type by
// type; the XRDs take their status schemas from the same contracts (apis/*/definition.ts).

/** Where `value` does not fit `schema`: paths the API server would prune or refuse. */
function misfits(value: unknown, schema: Schema, path: string): string[] {
  if (value === undefined || value === null) return [];
  switch (schema.type) {
    case 'string':
      return typeof value === 'string' ? [] : [`${path}: ${JSON.stringify(value)} is not a string`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${path}: ${JSON.stringify(value)} is not an integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: ${JSON.stringify(value)} is not a boolean`];
    case 'array':
      if (!Array.isArray(value)) return [`${path}: not a list`];
      return value.flatMap((item, i) => misfits(item, schema.items ?? {}, `${path}[${i}]`));
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: not an object`];
      return Object.entries(value).flatMap(([key, child]) => {
        const declared = schema.properties?.[key] ?? schema.additionalProperties;
        return declared ? misfits(child, declared, `${path}.${key}`) : [`${path}.${key}: not in the schema, so the API server drops it`];
      });
    }
    default:
      return [];
  }
}

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;

describe('status contracts', () => {
  const network = settle(loadExample('examples/network/k8tre.yaml'), observe);

  it("every field of the example network's settled status is in its XRD's schema", () => {
    const status = network.xr.status as Json;
    // Settled: the IDs Azure reports are there, so optional fields are checked too.
    expect(JSON.stringify(status)).toContain('virtualNetworkId');
    expect(misfits(status, c.statusSchema(networkStatusContract), 'status')).toEqual([]);
  });

  it.each(['dev', 'mgmt'])("every field of the %s cluster's settled status is in its XRD's schema", (env) => {
    const cluster = settle(loadExample(`examples/cluster/${env}.yaml`), observe, { network: [network.xr] });
    const status = cluster.xr.status as Json;
    expect(JSON.stringify(status)).toContain('oidcIssuerUrl');
    expect(misfits(status, c.statusSchema(clusterStatusContract), 'status')).toEqual([]);
  });

  it('would notice a field outside the contract, and a value of the wrong type', () => {
    const status = { ...(reconcileInProcess(loadExample('examples/network/k8tre.yaml')).xr.status as Json) };
    status.gatewayShards = 2;
    status.resourceGroupName = 7;
    expect(misfits(status, c.statusSchema(networkStatusContract), 'status')).toEqual([
      'status.resourceGroupName: 7 is not a string',
      'status.gatewayShards: not in the schema, so the API server drops it',
    ]);
  });
});
