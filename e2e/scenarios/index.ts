import { azureError } from './azure-error.js';
import { converge } from './converge.js';
import { dayTwo } from './day2.js';
import { deletion } from './deletion.js';
import { responsiveness } from './responsiveness.js';
import { restart } from './restart.js';
import type { Scenario } from './scenario.js';

export type { ScenarioContext } from './scenario.js';

/** In the order they run: each builds on the platform the ones before it left. */
export const SCENARIOS: readonly Scenario[] = [converge, restart, dayTwo, azureError, deletion, responsiveness];
