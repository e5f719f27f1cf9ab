import { RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { limits } from '../../functions/k8tre/network/api.js';
import { CROSSPLANE_MAX_RESPONSE_BYTES, serializeResponse } from '../../functions/k8tre/server.js';
import { installFastResourceCodec } from '../../functions/k8tre/transport/resource-codec.js';
import { reconcileInProcess, type Json } from '../../scripts/lib/in-process.js';
import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { useRenderSession } from '../support/render.js';
import { loadExample, run } from '../support/function.js';
import { networkWithEnvironments } from '../../scripts/bench/scenarios.js';

// Crossplane reads a function's answer with gRPC's default 4 MiB limit (crossplane v2.3.4,
// internal/xfn/function_runner.go sets no other). The XRD caps environments so the largest
// network fits; the server refuses, with a message, any answer that would not.

const session = useRenderSession();

/**
 * The largest network the XRD allows: the longest names, an internal domain, a management network
 * and a management environment (each peered with every spoke).
 */
function largestNetwork(): Json {
  const base = loadExample('examples/network/internal-domain.yaml');
  return {
    ...base,
    metadata: { ...(base.metadata as Json), name: 'k8tre-network-24-chars-x' },
    spec: {
      ...(base.spec as Json),
      addressPool: { cidr: '10.128.0.0/10', spokePrefixLength: 20 },
      management: {
        virtualNetworkId:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-crossplane/providers/Microsoft.Network/virtualNetworks/vnet-crossplane',
        addressSpace: '172.31.0.0/22',
      },
      // All exposed through the gateways: those add the most to the answer.
      environments: Array.from({ length: limits.environments.max }, (_, i) => ({
        name: `environ${String(i).padStart(5, '0')}`,
        ...(i === limits.environments.max - 1 && { management: true }),
      })),
    },
  };
}

describe("the answer's size", () => {
  it('stays under 4 MiB, with 5% to spare, for the largest network the XRD allows, in every reconcile', () => {
    const { requests } = reconcileInProcess(largestNetwork());
    for (const request of requests) {
      const bytes = RunFunctionResponse.encode(run(request.observed!.composite!.resource ?? {}, observedOf(request))).finish().length;
      expect(bytes).toBeLessThan(CROSSPLANE_MAX_RESPONSE_BYTES * 0.95);
    }
  });

  it('is read by the real Crossplane engine for the largest network', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'k8tre-size-')), 'largest.yaml');
    writeFileSync(file, toKubernetesYaml(largestNetwork()));
    const result = await session().render(file);
    expect(result.ok, result.stderr).toBe(true);
  });

  it('that would not fit is replaced by a Fatal that says why, which does fit', () => {
    const filler = 'x'.repeat(2048);
    const resources = Object.fromEntries(
      Array.from({ length: 2500 }, (_, i) => [`r${i}`, { resource: { kind: 'Filler', data: filler }, connectionDetails: {}, ready: 0 }]),
    );
    const tooLarge = RunFunctionResponse.fromPartial({ meta: { tag: 't' }, desired: { resources } });
    const bytes = serializeResponse(tooLarge);
    expect(bytes.length).toBeLessThan(1024);
    const answer = RunFunctionResponse.decode(bytes);
    expect(answer.results).toHaveLength(1);
    expect(answer.results[0]).toMatchObject({ severity: Severity.SEVERITY_FATAL, reason: 'InvalidInput' });
    expect(answer.results[0]!.message).toMatch(/the composed state is 5\.\d MiB, over the 4 MiB Crossplane reads from a function/);
    expect(answer.meta?.tag).toBe('t');
  });

  it('that fits passes unchanged', () => {
    const rsp = run(loadExample('examples/network/k8tre.yaml'));
    expect(serializeResponse(rsp).equals(Buffer.from(RunFunctionResponse.encode(rsp).finish()))).toBe(true);
  });

  it('carries nothing over from the answer before, even one whose encoding failed halfway', () => {
    // The server keeps one writer for every answer: what one leaves in it must never reach the next.
    // With the codec the server runs, which writes each resource from a scratch buffer of its own.
    installFastResourceCodec();
    const small = run(loadExample('examples/network/k8tre.yaml'));
    const large = run(networkWithEnvironments(20));
    const broken = RunFunctionResponse.fromPartial({
      desired: { resources: { a: { resource: { kind: 'A' } }, b: { resource: { bad: Symbol('x') as never } } } },
    });
    const fresh = (rsp: RunFunctionResponse) => Buffer.from(RunFunctionResponse.encode(rsp).finish());
    expect(serializeResponse(large).equals(fresh(large))).toBe(true);
    expect(serializeResponse(small).equals(fresh(small))).toBe(true);
    expect(() => serializeResponse(broken)).toThrow('Unsupported any value type');
    expect(serializeResponse(small).equals(fresh(small))).toBe(true);
  });
});

function observedOf(request: { observed?: { resources: Record<string, { resource?: unknown }> } }): Record<string, Json> {
  return Object.fromEntries(Object.entries(request.observed?.resources ?? {}).map(([name, r]) => [name, r.resource as Json]));
}
