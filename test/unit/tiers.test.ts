import { readdirSync } from 'node:fs';
import { join, matchesGlob, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../tiers.js';

// A test file outside every tier would never run, and one in two would run twice.

const ROOT = join(import.meta.dirname, '..', '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

describe('the test tiers', () => {
  it('hold every test file exactly once', () => {
    const tiersOf = (file: string) => Object.entries(TIERS).filter(([, globs]) => globs.some((glob) => matchesGlob(file, glob)));
    for (const file of testFiles(join(ROOT, 'test')))
      expect(
        tiersOf(file).map(([name]) => name),
        file,
      ).toHaveLength(1);
  });
});
