// The test tiers, each a vitest project (test/vitest.config.ts) and an npm script, from the
// quickest to run to the slowest to set up. `npm test` runs all three; test/unit/tiers.test.ts
// checks that every test file is in exactly one.
export const TIERS = {
  /** In-process: the composers, planners, codecs and properties, with the function called directly (`npm run test:fast`). */
  fast: ['test/unit/**/*.test.ts', 'test/function/**/*.test.ts'],
  /** Through the real Crossplane CLI and engine, the GitOps manifests, and the gRPC server under abuse (`npm run test:render`). */
  render: [
    'test/render/**/*.test.ts',
    'test/gitops/**/*.test.ts',
    'test/day2.test.ts',
    'test/plan.test.ts',
    'test/policy.test.ts',
    'test/cilium.test.ts',
    'test/server.test.ts',
    'test/workflow.test.ts',
    'test/fetch-crds.test.ts',
  ],
  /** The packages as Crossplane installs them: XRDs at admission, images, dependencies, versions (`npm run test:package`). */
  package: ['test/package.test.ts', 'test/packaging.test.ts', 'test/dependencies.test.ts', 'test/versions.test.ts'],
} as const;
