// `npm run validate -- FILE...` (or `-` for stdin): validates manifests, e.g. render output
// or example XRs, against the package's XRDs and the upstream provider CRDs.
import { readFileSync } from 'node:fs';
import { validateStream } from './lib/validate.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npm run validate -- FILE... (or - for stdin)\n');
  process.exit(2);
}
const stream = files.map((f) => readFileSync(f === '-' ? 0 : f, 'utf8')).join('\n---\n');
const result = await validateStream(stream);
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.ok ? 0 : 1;
