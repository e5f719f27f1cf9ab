import { check, some, type Scenario } from './scenario.js';

// Issue 13's scenario 5. Crossplane's watch circuit breaker never opened on any XR, with the settings the GitOps
// install ships (examples/gitops/apps/crossplane.yaml), during every scenario before this one;
// and no XR was ever Ready while it still waited.

export const responsiveness: Scenario = {
  name: 'responsiveness',
  title: 'no XR reported Responsive=False, or Ready=True while it waited, in any scenario',
  run(platform) {
    const falseReady = platform.monitor.falseReady;
    check(falseReady.length === 0, () => `an XR was Ready=True while it still waited:\n  ${some(falseReady)}`);
    const seen = platform.monitor.unresponsive;
    check(seen.length === 0, () => `XRs reported Responsive=False (Crossplane ran with ${platform.crossplane.args.join(' ')}):\n  ${some(seen)}`);
    return Promise.resolve();
  },
};
