import type { Install } from '../platform.js';
import { argocdClusters } from './argocd/clusters.js';
import { argocdCommit } from './argocd/commit.js';
import { argocdHealth } from './argocd/health.js';
import { argocdRefused } from './argocd/refused.js';
import { argocdSync } from './argocd/sync.js';
import { argocdTracking } from './argocd/tracking.js';
import { azureError } from './azure-error.js';
import { converge } from './converge.js';
import { dayTwo } from './day2.js';
import { deletion } from './deletion.js';
import { migration } from './migration.js';
import { paced } from './paced.js';
import { responsiveness } from './responsiveness.js';
import { restart } from './restart.js';
import { scale } from './scale.js';
import type { Scenario } from './scenario.js';

export type { Scenario, ScenarioContext } from './scenario.js';

/** Scenarios on one platform, in the order they run: each builds on what the ones before it left. */
export interface Suite {
  readonly name: string;
  readonly title: string;
  readonly install: Install;
  readonly scenarios: readonly Scenario[];
}

export const SUITES: readonly Suite[] = [
  {
    name: 'crossplane',
    title: 'the packages installed and XRs applied as kubectl does',
    install: 'direct',
    scenarios: [converge, restart, dayTwo, azureError, deletion, migration, scale, paced, responsiveness],
  },
  {
    name: 'argocd',
    title: "everything from git through ArgoCD, as the README's walkthrough does",
    install: 'gitops',
    scenarios: [argocdSync, argocdHealth, argocdTracking, argocdCommit, argocdRefused, argocdClusters],
  },
];
