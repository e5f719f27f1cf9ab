// `npm run render -- FILE... [-- crossplane flags]`: renders each XR through the real
// Crossplane CLI against this package's Composition and function, printing one YAML stream.
// Exits non-zero with the function's message when a render fails (e.g. a Fatal result).
//
// With --keep-function (what `npm run render` passes, through scripts/render.sh), the function
// is left running for the next render (lib/function-daemon.ts); --stop stops it. Without, the
// function lives as long as this command.
import { attachOrStart, stopKept } from './lib/function-daemon.js';
import { RenderSession } from './lib/render-engine.js';

/** The kept function; where it cannot start (two first renders racing to start it), one of this command's own. */
async function keptOrOwn() {
  try {
    return await attachOrStart();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\nrendering with a function of this command's own\n`);
    return undefined;
  }
}

let argv = process.argv.slice(2);
if (argv[0] === '--stop') {
  process.stderr.write(stopKept() ? 'stopped the kept function\n' : 'no kept function was running\n');
  process.exit(0);
}
const keepFunction = argv[0] === '--keep-function';
if (keepFunction) argv = argv.slice(1);
const split = argv.indexOf('--');
const files = split === -1 ? argv : argv.slice(0, split);
const crossplaneFlags = split === -1 ? [] : argv.slice(split + 1);
if (files.length === 0) {
  process.stderr.write('usage: npm run render -- FILE... [-- crossplane flags, e.g. --observed-resources DIR]\n');
  process.exit(2);
}

// Exit by setting the code, never with process.exit(): a pipe takes writes asynchronously, and
// exiting at once would cut the YAML stream short for whoever reads it (`| npm run validate`).

const session = await RenderSession.start(keepFunction ? await keptOrOwn() : undefined);
const stop = () => session.stop();
process.once('SIGINT', () => (stop(), process.exit(130)));
process.once('SIGTERM', () => (stop(), process.exit(143)));
let failed = false;
try {
  for (const [i, file] of files.entries()) {
    const result = await session.render(file, crossplaneFlags);
    if (!result.ok) {
      failed = true;
      process.stderr.write(`render of ${file} failed:\n${result.stderr}`);
      continue;
    }
    process.stdout.write(i > 0 && !result.stdout.startsWith('---') ? `---\n${result.stdout}` : result.stdout);
  }
} finally {
  stop();
}
process.exitCode = failed ? 1 : 0;
