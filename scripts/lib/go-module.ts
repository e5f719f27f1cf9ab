import { execFileSync } from 'node:child_process';

// Go modules from the module proxy, as data: the Gateway API's CRDs, Cilium's sources. Nothing is
// built from them; `go mod download` verifies each against the checksum database, or, where that
// database has no entry, against a hash pinned in this project.

export interface DownloadedModule {
  readonly dir: string;
  /** The h1 hash of the module's zip, as go.sum would record it. */
  readonly sum: string;
}

export function downloadModule(path: string, version: string, options: { pinnedSum?: string } = {}): DownloadedModule {
  const env = options.pinnedSum
    ? // Some releases are missing from sum.golang.org; the pinned hash checks them instead.
      { ...process.env, GONOSUMDB: path, GOFLAGS: '-mod=mod' }
    : process.env;
  const output = execFileSync('go', ['mod', 'download', '-json', `${path}@${version}`], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  const info = JSON.parse(output) as { Dir?: string; Sum?: string; Error?: string };
  if (info.Error || !info.Dir || !info.Sum) throw new Error(`go mod download ${path}@${version}: ${info.Error ?? 'no directory'}`);
  if (options.pinnedSum && info.Sum !== options.pinnedSum) throw new Error(`${path}@${version} has hash ${info.Sum}, not the pinned ${options.pinnedSum}`);
  return { dir: info.Dir, sum: info.Sum };
}
