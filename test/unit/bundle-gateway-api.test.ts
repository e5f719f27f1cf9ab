import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GATEWAY_API_DIR, ROOT } from '../../scripts/lib/paths.js';

// The bundle carries each Gateway API release's CRDs packed, read on first use
// (scripts/bundle-function.mjs): a network function never reads them, and a cluster reads one.

const { lazyGatewayApiBundle } = (await import(pathToFileURL(join(ROOT, 'scripts', 'bundle-function.mjs')).href)) as {
  lazyGatewayApiBundle: (json: string) => string;
};

interface Bundle {
  version: string;
  crds: unknown[];
}

/** The module as the bundle evaluates it. */
async function evaluate(moduleText: string): Promise<Bundle> {
  const module = (await import(`data:text/javascript;base64,${Buffer.from(moduleText).toString('base64')}`)) as { default: Bundle };
  return module.default;
}

describe('the Gateway API CRDs in the bundle', () => {
  const releases = readdirSync(GATEWAY_API_DIR).filter((file) => file.endsWith('.json'));

  it.each(releases)('gives back %s as it was generated', async (file) => {
    // What the function applies to a cluster is these CRDs, unchanged: any loss in packing would
    // install a different API.
    const json = readFileSync(join(GATEWAY_API_DIR, file), 'utf8');
    const bundle = await evaluate(lazyGatewayApiBundle(json));
    expect({ version: bundle.version, crds: bundle.crds }).toEqual(JSON.parse(json));
  });

  it.each(releases)('carries %s in a fraction of its size, with no CRD text to parse at start', (file) => {
    // Written out, the releases were 1.7 MB of a 2.6 MB bundle, held by V8 for as long as the
    // function runs and built into objects on every cold start.
    const json = readFileSync(join(GATEWAY_API_DIR, file), 'utf8');
    const moduleText = lazyGatewayApiBundle(json);
    expect(moduleText).not.toContain('openAPIV3Schema');
    expect(moduleText.length).toBeLessThan(json.length / 5);
  });

  it('unpacks a release once, however often its CRDs are read', async () => {
    // A cluster reconcile reads them on every call; unpacking each time would cost 2-3 ms a call.
    const bundle = await evaluate(lazyGatewayApiBundle(readFileSync(join(GATEWAY_API_DIR, releases[0]!), 'utf8')));
    expect(bundle.crds).toBe(bundle.crds);
  });
});
