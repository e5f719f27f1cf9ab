import { check, some, type Scenario } from './scenario.js';

// 5. Crossplane's watch circuit breaker never opened on any XR, with the settings the GitOps
// install ships (examples/gitops/apps/crossplane.yaml), during every scenario before this one.

export const responsiveness: Scenario = {
  name: 'responsiveness',
  title: 'no XR reported Responsive=False in any scenario',
  run(platform) {
    const seen = platform.monitor.unresponsive;
    check(seen.length === 0, () => `XRs reported Responsive=False (Crossplane ran with ${platform.crossplane.args.join(' ')}):\n  ${some(seen)}`);
    return Promise.resolve();
  },
};
