// `npm run build`: compiles the project into dist/ with tsc. With --if-stale (what render, start
// and the other commands run first), it compiles only when a source is newer than the last
// successful build: an up-to-date tree costs a walk of the sources' times (tens of milliseconds)
// instead of tsc's own check (seconds). Plain JavaScript, so that it needs no build itself.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Written after a successful build only, so a failed one is tried again. */
const STAMP = join(ROOT, 'dist', '.build-stamp');
/** What tsc compiles, and the files that change how it does. */
const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
// scripts/lib/function-daemon.ts tells scripts/render.sh the same list, for its own check.
const SOURCES = [...tsconfig.include.map((dir) => join(ROOT, dir)), join(ROOT, 'tsconfig.json'), join(ROOT, 'package-lock.json')];

/** The newest modification time under `path`, in milliseconds. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A directory's own time changes when a file in it is added, removed or renamed.
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    latest = Math.max(latest, newest(join(path, entry.name)));
  }
  return latest;
}

export function isStale() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  return SOURCES.some((source) => newest(source) > built);
}

function build() {
  // Dated when the build began: a source saved while tsc ran is newer, and builds next time.
  const began = new Date();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', ROOT], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(STAMP, `${began.toISOString()}\n`);
  utimesSync(STAMP, began, began);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--if-stale') || isStale()) build();
}
