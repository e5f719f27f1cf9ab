import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { CILIUM_RELEASES } from '../functions/k8tre/cluster/cilium-releases.js';
import { downloadModule } from './lib/go-module.js';
import { GATEWAY_API_DIR } from './lib/paths.js';

// Regenerates generated/gateway-api/<version>.json: for each Gateway API release a
// Cilium minor in the table needs, the standard-channel CRDs it requires, read unchanged from
// sigs.k8s.io/gateway-api at that tag (config/crd/standard) through the Go module proxy. The
// function ships them, so nothing is downloaded at run time.
//
//   npm run gateway-api              write them into generated/gateway-api, which the function bundles
//   npm run gateway-api -- --out D   write them into D (the tests compare)

const outArg = process.argv.indexOf('--out');
const out = outArg === -1 ? GATEWAY_API_DIR : resolve(process.argv[outArg + 1] ?? '');

const plurals = new Map<string, Set<string>>();
for (const release of CILIUM_RELEASES) {
  const set = plurals.get(release.gatewayApiVersion) ?? new Set<string>();
  for (const crd of release.requiredCrds) set.add(crd.plural);
  plurals.set(release.gatewayApiVersion, set);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const [version, wanted] of plurals) {
  const { dir } = downloadModule('sigs.k8s.io/gateway-api', version);
  const crds = [...wanted]
    .sort()
    .map((plural) => parse(readFileSync(join(dir, 'config', 'crd', 'standard', `gateway.networking.k8s.io_${plural}.yaml`), 'utf8')) as unknown);
  writeFileSync(join(out, `${version}.json`), `${JSON.stringify({ version, crds })}\n`);
  process.stderr.write(`wrote ${version}.json (${[...wanted].sort().join(', ')})\n`);
}
