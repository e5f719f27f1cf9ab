// Bundles the function into one ESM file with esbuild, straight from the TypeScript sources:
// what the runtime image runs (`npm run package`) and what the Dockerfile builds. Plain ESM so
// the Dockerfile needs no TypeScript compile.
//
// Only what runs goes in. The generated models in imports/ are cdk8s classes whose conversion
// code the function never calls (lib/manifest.ts's render takes a model's GVK and its props as
// they are), so each is bundled as its GVK alone, beside the enums the composers use as values;
// cdk8s goes with them. The Gateway API CRDs a cluster installs (generated/gateway-api) go in
// packed, each release unpacked on first use. grpc-js is replaced by a stub
// (bundle/grpc-js-stub.mjs). A warning, such as an import the reduced models lack, fails the
// build; test/packaging.test.ts holds the bundle's answers to the in-process function's for every
// reconcile of the example platform.
//
//   node scripts/bundle-function.mjs [outfile]     default out/function/main.mjs
import { build, transform } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const outfile = resolve(process.argv[2] ?? resolve(root, 'out/function/main.mjs'));

/** A generated model module as the function uses it: every enum, and each class as its GVK. */
export function gvkOnly(source) {
  const enums = source.match(/^export enum \w+ \{[\s\S]*?^\}/gm) ?? [];
  const classes = [
    ...source.matchAll(/^export class (\w+) extends ApiObject \{[\s\S]*?GVK: GroupVersionKind = \{\s*apiVersion: '([^']+)',\s*kind: '([^']+)',?\s*\}/gm),
  ].map(([, name, apiVersion, kind]) => `export const ${name} = { GVK: { apiVersion: '${apiVersion}', kind: '${kind}' } };`);
  const declared = (source.match(/^export class \w+/gm) ?? []).length;
  if (classes.length !== declared) throw new Error(`found the GVK of ${classes.length} of ${declared} classes: the generated models changed shape`);
  return [...enums, ...classes].join('\n');
}

const leanModels = {
  name: 'gvk-only-models',
  setup(context) {
    context.onLoad({ filter: /[\\/]imports[\\/][^\\/]+\.ts$/ }, (args) => ({ contents: gvkOnly(readFileSync(args.path, 'utf8')), loader: 'ts' }));
  },
};
/**
 * A Gateway API CRD bundle (`{ version, crds }`) as a module whose `crds` are read on first use.
 * Written out as object literals, the four releases were 1.7 MB of the bundle's 2.6 MB: V8 holds
 * the source text for as long as the function runs, and building the objects took 16-20 ms of
 * every cold start (out of about 65 over a bare Node), for a network function that never reads
 * them. Brotli at quality 9 packs each release into 24-33 KB in about 20 ms; unpacking one and
 * parsing it takes 2-3 ms, once.
 */
export function lazyGatewayApiBundle(json) {
  const { version, crds } = JSON.parse(json);
  const text = JSON.stringify(crds);
  const packed = brotliCompressSync(text, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: text.length } });
  return [
    "import { brotliDecompressSync } from 'node:zlib';",
    'let crds;',
    'export default {',
    `  version: ${JSON.stringify(version)},`,
    '  get crds() {',
    `    return (crds ??= JSON.parse(brotliDecompressSync(Buffer.from(${JSON.stringify(packed.toString('base64'))}, 'base64')).toString('utf8')));`,
    '  },',
    '};',
  ].join('\n');
}

const lazyGatewayApi = {
  name: 'lazy-gateway-api-crds',
  setup(context) {
    context.onLoad({ filter: /[\\/]generated[\\/]gateway-api[\\/][^\\/]+\.json$/ }, (args) => ({
      contents: lazyGatewayApiBundle(readFileSync(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};
const grpcStub = {
  name: 'grpc-js-stub',
  setup(context) {
    context.onResolve({ filter: /^@grpc\/grpc-js$/ }, () => ({ path: resolve(root, 'scripts/bundle/grpc-js-stub.mjs') }));
  },
};

/**
 * The bundle as ASCII text. One character past Latin-1 and V8 holds the whole 2.6 MB source as
 * two-byte text, 5 MB more heap for as long as the function runs. esbuild escapes such characters
 * in strings and identifiers (its default charset) but leaves them in the comments it keeps, and in
 * regular expressions and tagged templates, where an escape would change what the code means. So:
 * the code without its comments must already be ASCII, or the build fails naming the text; then
 * every such character left is in a comment, where an escape reads the same.
 */
export async function asciiOnly(code, file) {
  const uncommented = (await transform(code, { minifyWhitespace: true, legalComments: 'none', format: 'esm' })).code;
  const found = /[\u0080-\uffff]/.exec(uncommented);
  if (found) {
    const around = uncommented.slice(Math.max(0, found.index - 60), found.index + 20);
    throw new Error(`${file}: non-ASCII text in a regular expression or tagged template (${JSON.stringify(around)}); write it as an escape`);
  }
  return code.replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The bundle, into `outfile`; with `metafile`, esbuild's record of every file it read. */
export async function bundle(outfile, options = {}) {
  const result = await build({
    entryPoints: [resolve(root, 'functions/k8tre/main.ts')],
    outfile,
    absWorkingDir: root,
    metafile: options.metafile ?? false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    plugins: [leanModels, lazyGatewayApi, grpcStub],
    // protobufjs is CommonJS and require()s Node's built-ins; an ESM bundle needs a require of its own for it.
    banner: { js: "import { createRequire as __k8treRequire } from 'node:module'; const require = __k8treRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, /\.m?js$/.test(file.path) ? await asciiOnly(file.text, file.path) : file.contents);
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await bundle(outfile);
  if (result.warnings.length > 0) {
    process.stderr.write(`the bundle has ${result.warnings.length} warnings; each may be code that would fail at run time\n`);
    process.exit(1);
  }
  process.stderr.write(`bundled the function into ${outfile}\n`);
}
