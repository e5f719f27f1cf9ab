import { defineConfig } from 'vitest/config';
import { TIERS } from './tiers.js';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    // Render tests drive the real CLI and engine; a slow shared machine needs headroom.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // One project per tier: `vitest run --project fast` runs one (test/tiers.ts).
    projects: Object.entries(TIERS).map(([name, include]) => ({ extends: true, test: { name, include: [...include] } })),
  },
});
