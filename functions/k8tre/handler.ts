import {
  Ready,
  Severity,
  Status,
  Target,
  to,
  type FunctionHandler,
  type Logger,
  type RunFunctionRequest,
  type Resource,
  type RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';
import type { Composer, XrCondition } from './lib/composition.js';
import { providerErrorsCondition } from './lib/provider-errors.js';
import { FieldError } from './lib/field-error.js';
import { holdObserved } from './lib/hold.js';
import { isObject, type JsonObject } from './lib/json.js';
import { Observed } from './lib/observed.js';
import { KIND as CLUSTER_KIND } from './cluster/api.js';
import { composeCluster } from './cluster/compose-cluster.js';
import { API_VERSION as PACKAGE_API_VERSION, KIND as NETWORK_KIND } from './network/api.js';
import { childXrIsCurrent } from './lib/child-xr-readiness.js';
import { composedGenerationOf } from './lib/composed-generation.js';
import { composeNetwork } from './network/compose-network.js';
import { GROUP_KIND as SPOKE_GROUP_KIND, KIND as SPOKE_KIND } from './spoke/api.js';
import { KIND as DATA_STORES_KIND } from './stores/api.js';
import { KIND as CLUSTER_MONITORING_KIND } from './cluster-monitoring/api.js';
import { composeClusterMonitoringXr } from './cluster-monitoring/compose-cluster-monitoring.js';
import { KIND as FIREWALL_KIND } from './firewall/api.js';
import { composeFirewallXr } from './firewall/compose-firewall.js';
import { KIND as MONITORING_KIND } from './monitoring/api.js';
import { composeMonitoringXr } from './monitoring/compose-monitoring.js';
import { composeDataStoresXr } from './stores/compose-stores.js';
import { composeSpokeXr } from './spoke/compose-spoke.js';
import { composeSpokeGroup } from './spoke/group.js';
import { GROUP_KIND as IDENTITY_GROUP_KIND, KIND as IDENTITY_KIND } from './identity/api.js';
import { composeWorkloadIdentityXr } from './identity/compose-identity.js';
import { composeWorkloadIdentityGroup } from './identity/group.js';
import { errorMessage } from './lib/error-message.js';
import { CROSSPLANE_DEFAULT_BREAKER, paceNewResources, type BreakerSettings } from './lib/pacing.js';
import { merged } from './lib/records.js';

/** Kinds that report no Ready condition: they are ready as soon as they exist. */
const READY_WHEN_PRESENT = new Set(['ProviderConfig', 'Secret', 'ConfigMap']);

const composers: Record<string, Composer> = {
  [NETWORK_KIND]: composeNetwork,
  [SPOKE_GROUP_KIND]: composeSpokeGroup,
  [SPOKE_KIND]: composeSpokeXr,
  [MONITORING_KIND]: composeMonitoringXr,
  [FIREWALL_KIND]: composeFirewallXr,
  [CLUSTER_MONITORING_KIND]: composeClusterMonitoringXr,
  [CLUSTER_KIND]: composeCluster,
  [DATA_STORES_KIND]: composeDataStoresXr,
  [IDENTITY_GROUP_KIND]: composeWorkloadIdentityGroup,
  [IDENTITY_KIND]: composeWorkloadIdentityXr,
};

export class K8treFunction implements FunctionHandler {
  /** `breaker`: the circuit-breaker settings Crossplane runs with, which the function paces new resources by. */
  constructor(private readonly breaker: BreakerSettings = CROSSPLANE_DEFAULT_BREAKER) {}

  RunFunction(req: RunFunctionRequest, logger?: Logger): Promise<RunFunctionResponse> {
    return Promise.resolve(runFunction(req, logger, this.breaker));
  }
}

export function runFunction(
  req: RunFunctionRequest,
  logger?: Logger,
  breaker: BreakerSettings = CROSSPLANE_DEFAULT_BREAKER,
  now: number = Date.now(),
): RunFunctionResponse {
  const rsp = to(req);
  const desired = rsp.desired ?? { composite: undefined, resources: {} };
  rsp.desired = desired;
  const observed = Observed.from(req.observed?.resources ?? {});
  const xr = req.observed?.composite?.resource;

  try {
    if (!isObject(xr)) throw new FieldError('composite', 'the request carries no observed composite resource');
    const kind = typeof xr.kind === 'string' ? xr.kind : '';
    const compose = composers[kind];
    if (!compose) throw new FieldError('kind', `${JSON.stringify(kind)} is not composed by this function`);

    const composition = compose({ xr, observed, required: requiredResources(req) });
    const paced = paceNewResources(xr, observed, composition.resources, breaker, PACKAGE_API_VERSION, now);
    if (paced.retryAfterSeconds !== undefined) rsp.meta = { tag: rsp.meta?.tag ?? '', ttl: { seconds: paced.retryAfterSeconds, nanos: 0 } };
    // Code-unit order, not localeCompare: the same on every machine, and far cheaper.
    for (const [name, manifest] of [...paced.resources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      desired.resources[name] = {
        resource: manifest,
        connectionDetails: {},
        ready: readiness(observed, name, manifest),
      };
    }
    // Assigned, not merged: the SDK's merge helpers concatenate arrays, which would
    // duplicate list entries in status on every reconcile.
    const composite = desired.composite?.resource ?? { apiVersion: xr.apiVersion, kind: xr.kind };
    composite.status = merged<unknown>(composition.status as Record<string, unknown>, composedGenerationOf(xr));
    const conditions = [...composition.conditions, paced.condition, providerErrorsCondition(observed)];
    desired.composite = { resource: composite, connectionDetails: desired.composite?.connectionDetails ?? {}, ready: compositeReadiness(conditions) };

    for (const condition of conditions) {
      rsp.conditions.push({
        type: condition.type,
        status: condition.ready ? Status.STATUS_CONDITION_TRUE : Status.STATUS_CONDITION_FALSE,
        reason: condition.reason,
        ...(condition.message !== undefined && { message: condition.message }),
        target: Target.TARGET_COMPOSITE,
      });
    }
    for (const message of composition.warnings ?? []) {
      rsp.results.push({ severity: Severity.SEVERITY_WARNING, message, reason: 'Advisory', target: Target.TARGET_COMPOSITE });
    }
    // Crossplane v2.3 reads `requirements.resources`; `extraResources` is its deprecated name.
    for (const requirement of composition.requirements ?? []) {
      const { name, apiVersion, kind, namespace } = requirement;
      const match = 'matchName' in requirement ? { matchName: requirement.matchName } : { matchLabels: { labels: { ...requirement.matchLabels } } };
      (rsp.requirements ??= { extraResources: {}, resources: {}, schemas: {} }).resources[name] = { apiVersion, kind, namespace, ...match };
    }
    return rsp;
  } catch (error) {
    const message = error instanceof FieldError ? `invalid input: ${error.message}` : `internal error: ${errorMessage(error)}`;
    if (!(error instanceof FieldError)) logger?.error({ err: error }, 'composition failed');
    holdObservedResources(desired.resources, observed);
    rsp.results.push({
      severity: Severity.SEVERITY_FATAL,
      message,
      reason: error instanceof FieldError ? 'InvalidInput' : 'InternalError',
      target: Target.TARGET_COMPOSITE,
    });
    return rsp;
  }
}

/** Required resources as plain objects, by requirement name (newer and older request fields). */
function requiredResources(req: RunFunctionRequest): Map<string, JsonObject[]> {
  const result = new Map<string, JsonObject[]>();
  for (const source of [req.extraResources, req.requiredResources]) {
    for (const [name, list] of Object.entries(source ?? {})) {
      const items = (list?.items ?? []).map((item) => item.resource).filter(isObject);
      if (items.length > 0 || !result.has(name)) result.set(name, items);
    }
  }
  return result;
}

/**
 * Crossplane applies nothing from a pipeline that ends Fatal. Desired state still lists
 * every resource that exists, as it stands, so no caller or later step that treats the
 * answer differently could read a missing resource as "delete it".
 */
function holdObservedResources(desired: Record<string, Resource>, observed: Observed): void {
  for (const [name, manifest] of holdObserved(observed, new Set(Object.keys(desired)))) {
    desired[name] = { resource: manifest, connectionDetails: {}, ready: readiness(observed, name, manifest) };
  }
}

/**
 * Unspecified lets Crossplane derive readiness from the composed resources, with its
 * "Unready resources: …" message; that is right only once nothing the XR owns still waits.
 * A live control plane showed why: a cluster waiting for its network composes nothing, and
 * Crossplane calls an XR with no composed resources ready.
 */
function compositeReadiness(conditions: readonly XrCondition[]): Ready {
  return conditions.some((condition) => !condition.ready) ? Ready.READY_FALSE : Ready.READY_UNSPECIFIED;
}

function readiness(observed: Observed, name: string, manifest: JsonObject): Ready {
  // A composed XR of this package: a spoke group, a spoke, a network's monitoring and firewall, a cluster's monitoring and data stores, its identity groups and identities.
  if (manifest.apiVersion === PACKAGE_API_VERSION) return childXrIsCurrent(observed, name, manifest) ? Ready.READY_TRUE : Ready.READY_FALSE;
  const kind = String(manifest.kind);
  return observed.isReady(name) || (READY_WHEN_PRESENT.has(kind) && observed.has(name)) ? Ready.READY_TRUE : Ready.READY_FALSE;
}
