import { ResourceGroup } from '../../../imports/azure.m.upbound.io.js';
import type { ComposeInput, Composition, DesiredResources, XrCondition } from '../lib/composition.js';
import { gatedCondition, waitsOf } from '../lib/waits.js';
import { parseArmId } from '../lib/arm-id.js';
import { holdObserved } from '../lib/hold.js';
import { hostedClustersRequirement, readHostedClusters } from '../network/hosted-clusters.js';
import { groupTaken, referencedGroups } from '../lib/referenced-groups.js';
import { ruleOrInForce } from '../lib/in-force.js';
import type { Observed } from '../lib/observed.js';
import { FieldError } from '../lib/field-error.js';
import { dig, isObject } from '../lib/json.js';
import { render } from '../lib/manifest.js';
import { meta } from '../lib/stamp.js';
import { planClusterAddressing } from './addressing.js';
import { composeCluster as composeAks } from './aks.js';
import { composeControlPlaneIdentity } from './control-plane.js';
import { composeDataStores, retainedClusterGroupPolicies, type DataStores } from './data-stores.js';
import { composeArgoCdRegistration } from './argocd-registration.js';
import { composeAddOnRoles } from './add-on-roles.js';
import { composeWorkloadIdentities, type WorkloadIdentityOutcome } from './workload-identities.js';
import type { RegistrationFacts } from './k8tre-contract.js';
import { composeInCluster } from './in-cluster.js';
import { checkClusterChanges, checkClusterPlacement, previousPodCidr } from './day2.js';
import { resolveHostEncryption } from './host-encryption.js';
import { checkKubernetesVersion } from './kubernetes-version.js';
import { aksMonitoring, composeClusterMonitoring, resolveMonitoring } from './monitoring.js';
import { checkNamesInForce } from './names-in-force.js';
import { ARGOCD_IDENTITY, composeManagement } from './management.js';
import { describeNetwork, networkRequirement, readNetwork, type NetworkFacts } from './network-input.js';
import { azureNames, clusterStamp, keys } from './naming.js';
import { limits } from './api.js';
import { resolveSharedKeyAccess } from './shared-keys.js';
import { parseClusterSpec, type ClusterSpec } from './spec.js';
import { clusterStatus, type ClusterStatus } from './status.js';
import { composeUsages } from './usages.js';
import { merged } from '../lib/records.js';

/** Everything an XK8treCluster composes. Throws FieldError on input it cannot compose from. */
export function composeCluster({ xr, observed, required }: ComposeInput): Composition {
  const spec = parseClusterSpec({ name: dig(xr, 'metadata', 'name'), namespace: dig(xr, 'metadata', 'namespace') }, xr.spec);
  const requirements = [networkRequirement(spec), hostedClustersRequirement(spec.namespace, spec.networkName)];
  const warnings = checkKubernetesVersion(spec, observed);
  checkClusterChanges(spec, dig(xr, 'status'), observed);
  checkNamesInForce(spec, observed);

  const network = readNetwork(spec, required);
  if (!network.ready) {
    // Nothing is composed from guesses; what already exists is held as it is.
    return {
      resources: holdObserved(observed),
      status: (dig(xr, 'status') as object | undefined) ?? {},
      conditions: [gatedCondition('NetworkReady', [network.wait])],
      requirements,
      warnings,
    };
  }
  const facts = network.facts;
  const others =
    readHostedClusters(required)
      ?.get(spec.environment)
      ?.filter((name) => name !== spec.name) ?? [];
  if (others.length > 0) {
    throw new FieldError(
      'spec.environment',
      `${spec.environment} already has XK8treCluster ${others.map((name) => `${spec.namespace}/${name}`).join(', ')}; an environment has one cluster, whose spoke subnets and names are made for it. Add an environment for this one`,
    );
  }
  checkClusterPlacement(spec, facts, observed);
  const live = observed.has(keys.cluster);
  // The cluster's groups are none that an ID in its spec or its network's names (role scopes aside:
  // a workload identity may hold a role on the cluster's own group); live ones are kept.
  const namedGroups = [
    ...facts.groupsNamed,
    ...referencedGroups(merged<unknown>(isObject(xr.spec) ? xr.spec : undefined, { workloadIdentities: undefined }), 'spec'),
  ];
  for (const [field, group, key] of [
    ['spec.resourceGroupName', spec.resourceGroupName, keys.resourceGroup],
    ['spec.dataResourceGroupName', spec.dataResourceGroupName, keys.dataResourceGroup],
  ] as const) {
    const reason = groupTaken(group, namedGroups);
    warnings.push(...ruleOrInForce(reason !== undefined, observed.has(key), field, reason ?? ''));
  }
  warnings.push(
    // Its ArgoCD deploys to the other environments' private API servers, and peering with the hub
    // does not carry it there (peering is not transitive).
    ...ruleOrInForce(
      spec.role === 'Management' && !facts.peeredWithAllSpokes && facts.otherEnvironments > 0,
      live,
      'spec.role',
      `Management hosts ArgoCD in the ${spec.environment} spoke, which cannot reach the other environments' private API servers through the hub: ` +
        `set management: true on environment ${spec.environment} of ${describeNetwork(spec)}, which peers its spoke with every other, or run ArgoCD where Crossplane runs`,
    ),
    ...ruleOrInForce(
      spec.systemPool.minCount < limits.systemNodeCount.min,
      observed.forProvider(keys.cluster, 'defaultNodePool', 'minCount') === spec.systemPool.minCount,
      'spec.systemPool.minCount',
      `${spec.systemPool.minCount} is out of range; AKS system pools need at least ${limits.systemNodeCount.min} nodes`,
    ),
  );
  const stamp = clusterStamp(spec, facts.region);
  const addressing = planClusterAddressing(spec, facts, previousPodCidr(dig(xr, 'status'), observed), live);
  const desired: DesiredResources = new Map();

  const sharedKeys = resolveSharedKeyAccess(spec, observed);
  warnings.push(...sharedKeys.warnings);
  const stores = composeDataStores(spec, stamp, facts, observed, dig(xr, 'status'), sharedKeys.access, desired);
  desired.set(
    keys.resourceGroup,
    render(ResourceGroup, {
      metadata: meta(stamp, keys.resourceGroup, { azureName: spec.resourceGroupName }),
      spec: {
        providerConfigRef: stamp.providerConfigRef,
        ...retainedClusterGroupPolicies(spec, stores),
        forProvider: { location: stamp.region, tags: { ...stamp.tags } },
      },
    }),
  );

  const controlPlane = composeControlPlaneIdentity(spec, stamp, facts, observed, desired);
  const monitoring = resolveMonitoring(spec, facts);
  // A live cluster stays composed whatever its identity's roles report.
  const aksGated = !controlPlane.ready && !live;
  if (!aksGated) composeAks(spec, stamp, facts, addressing, resolveHostEncryption(spec, observed), aksMonitoring(spec, facts, monitoring), desired);

  const addOnRoles = composeAddOnRoles(spec, stamp, observed, stores, sharedKeys.access, desired);
  const identities = composeWorkloadIdentities(spec, stamp, facts, observed, stores, dig(xr, 'status'), desired);
  const workloads = identities.outcomes;
  const inCluster = composeInCluster(spec, stamp, addressing, ciliumClusterId(spec, facts), observed, desired);
  const argocdClientId = workloads.find((identity) => identity.name === ARGOCD_IDENTITY.name)?.clientId;
  const management = spec.argocdServer && composeManagement(spec, spec.argocdServer, stamp, facts, inCluster.ciliumDeployed, argocdClientId, observed, desired);
  const argocd = spec.management.argocd;
  const registration =
    argocd &&
    composeArgoCdRegistration(spec, argocd, stamp, registrationFacts(spec, facts, stores, workloads, observed), inCluster.ciliumDeployed, observed, desired);
  const issuesGatewayCertificates = spec.role === 'Management' && facts.certificatePush !== undefined;
  const clusterMonitoring = composeClusterMonitoring(spec, stamp, monitoring, stores, issuesGatewayCertificates, observed, desired);
  composeUsages(spec, stamp, desired);

  // The conditions come from what each composer says it waits for, in this order.
  const waits = waitsOf(aksGated && controlPlane, management, addOnRoles, stores, identities, inCluster, clusterMonitoring, registration);
  const conditions: XrCondition[] = [
    gatedCondition('NetworkReady', [], 'Available'),
    gatedCondition('Composed', waits),
    ...(registration ? [gatedCondition('ArgoCDRegistered', waits, 'Registered')] : []),
  ];
  const status: ClusterStatus = clusterStatus(spec, facts, addressing, workloads, stores, observed);
  if (management) status.argocd = { url: management.url, ...(management.applicationClientId && { applicationClientId: management.applicationClientId }) };
  return { resources: desired, status, conditions, requirements, warnings };
}

/** What the ArgoCD cluster Secret tells K8TRE about the infrastructure (k8tre-contract.ts). */
function registrationFacts(
  spec: ClusterSpec,
  network: NetworkFacts,
  stores: DataStores,
  workloads: readonly WorkloadIdentityOutcome[],
  observed: Observed,
): RegistrationFacts {
  const groupId = observed.atProvider(keys.resourceGroup, 'id');
  const subscriptionId = groupId && parseArmId(groupId).subscriptionId;
  return {
    network,
    ...(subscriptionId && { subscriptionId }),
    resourceGroupName: spec.resourceGroupName,
    dataResourceGroupName: stores.resourceGroupName,
    keyVaultName: azureNames.keyVault(spec),
    storageAccounts: { core: azureNames.storage(spec, 'core'), workspace: azureNames.storage(spec, 'workspace') },
    clientIds: Object.fromEntries(workloads.map((w) => [w.name, w.clientId])),
  };
}

/**
 * Cilium's cluster ID must be unique among meshed clusters. The environment's routing slot in
 * the network already is, and never changes, so it serves unless the user sets one.
 */
function ciliumClusterId(spec: ClusterSpec, network: NetworkFacts): number {
  if (spec.ciliumClusterId !== undefined) return spec.ciliumClusterId;
  const slot = network.routingSlot;
  if (slot < limits.ciliumClusterId.min || slot > limits.ciliumClusterId.max) {
    throw new FieldError(
      'spec.cilium.clusterId',
      `cannot be derived from routing slot ${slot}; set one from ${limits.ciliumClusterId.min} to ${limits.ciliumClusterId.max}`,
    );
  }
  return slot;
}
