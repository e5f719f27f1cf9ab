// Bundles the function into one ESM file with esbuild, straight from the TypeScript sources:
// what the runtime image runs (`npm run package`) and what the Dockerfile builds. Plain ESM so
// the Dockerfile needs no TypeScript compile.
//
// Only what runs goes in. The generated models in imports/ are cdk8s classes whose conversion
// code the function never calls (lib/manifest.ts's render takes a model's GVK and its props as
// they are), so each is bundled as its GVK alone, beside the enums the composers use as values;
// cdk8s goes with them. grpc-js is replaced by a stub (bundle/grpc-js-stub.mjs). A warning, such
// as an import the reduced models lack, fails the build; test/packaging.test.ts holds the
// bundle's answers to the in-process function's for every reconcile of the example platform.
//
//   node scripts/bundle-function.mjs [outfile]     default out/function/main.mjs
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const grpcStub = {
  name: 'grpc-js-stub',
  setup(context) {
    context.onResolve({ filter: /^@grpc\/grpc-js$/ }, () => ({ path: resolve(root, 'scripts/bundle/grpc-js-stub.mjs') }));
  },
};

/**
 * esbuild escapes non-ASCII text in code (its default charset), but not in the comments it
 * keeps. One such character makes V8 hold the whole source as a two-byte string: 5 MB more heap
 * for a 2.6 MB bundle, for as long as the function runs. Escaped as in a string literal, which
 * reads the same in a comment and means the same anywhere else.
 */
export const asciiOnly = (text) => text.replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);

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
    plugins: [leanModels, grpcStub],
    // protobufjs is CommonJS and require()s Node's built-ins; an ESM bundle needs a require of its own for it.
    banner: { js: "import { createRequire as __k8treRequire } from 'node:module'; const require = __k8treRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, asciiOnly(file.text));
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
