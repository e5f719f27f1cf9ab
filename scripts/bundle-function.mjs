// Bundles the function into one ESM file with esbuild, straight from the TypeScript sources:
// what the runtime image runs (`npm run package`) and what the Dockerfile builds. Plain ESM so
// the Dockerfile needs no TypeScript compile.
//
//   node scripts/bundle-function.mjs [outfile]     default out/function/main.mjs
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const outfile = resolve(process.argv[2] ?? resolve(root, 'out/function/main.mjs'));

await build({
  entryPoints: [resolve(root, 'functions/k8tre/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // gRPC and protobufjs are CommonJS and require() Node's built-ins; an ESM bundle needs a
  // require of its own for them.
  banner: { js: "import { createRequire as __k8treRequire } from 'node:module'; const require = __k8treRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
process.stderr.write(`bundled the function into ${outfile}\n`);
