import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/paths.js';

// The bundle the image runs is ASCII text (scripts/bundle-function.mjs), escaped only where an
// escape cannot change what the code means.

const { asciiOnly } = (await import(pathToFileURL(join(ROOT, 'scripts', 'bundle-function.mjs')).href)) as {
  asciiOnly: (code: string, file: string) => Promise<string>;
};

describe('the bundle as ASCII text', () => {
  it('escapes what a comment esbuild kept carries, which then reads the same', async () => {
    // The one case in today's bundle: a JSDoc comment quoting Upjet's "create failed: … RESPONSE 400 …".
    expect(await asciiOnly('/** failed: … → */\nexport const a = 1;\n', 'main.mjs')).toBe('/** failed: \\u2026 \\u2192 */\nexport const a = 1;\n');
  });

  it('escapes a string literal to the same string', async () => {
    const escaped = await asciiOnly("export const s = 'café';\n", 'main.mjs');
    expect(escaped).toBe("export const s = 'caf\\u00e9';\n");
    expect(JSON.parse(`"${/'(.*)'/.exec(escaped)![1]!}"`)).toBe('café');
  });

  it.each([
    ['a regular expression, where \\u00e9 after a backslash would match other text', 'export const r = /\\é/;\n'],
    ['a tagged template, whose raw text String.raw would read escaped', 'export const t = String.raw`café`;\n'],
  ])('refuses non-ASCII in %s, naming it', async (_why, code) => {
    await expect(asciiOnly(code, 'main.mjs')).rejects.toThrow(/^main\.mjs: non-ASCII text in a regular expression or tagged template \(".*é.*"\)/);
  });
});
