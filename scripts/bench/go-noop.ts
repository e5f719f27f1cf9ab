import { join } from 'node:path';
import { ROOT } from '../lib/paths.js';
import { goBuild } from './caller.js';

// The benchmark's Go floor (go-noop/main.go): a no-op function on Crossplane's Go SDK. Built from
// the Go module proxy on first use, like the caller.

export function buildGoNoop(): string {
  return goBuild(join(ROOT, 'scripts', 'bench', 'go-noop'), join(ROOT, '.tools', 'bin', 'bench-go-noop'));
}
