import { UserAssignedIdentity } from '../../../imports/managedidentity.azure.m.upbound.io.js';
import type { DesiredResources } from '../lib/composition.js';
import type { Outcome } from '../lib/waits.js';
import { composedGates } from './gates.js';
import { render } from '../lib/manifest.js';
import type { Observed } from '../lib/observed.js';
import { roleAssignment } from '../lib/role-assignment.js';
import { meta, placement, type Stamp } from '../lib/stamp.js';
import type { NetworkFacts } from './network-input.js';
import { azureNames, keys } from './naming.js';
import type { ClusterSpec } from './spec.js';

/**
 * The AKS control-plane identity and the two roles AKS needs before it is created: Network
 * Contributor to join the spoke's subnets (scoped to the spoke VNet, where the reference
 * granted the whole network resource group), and Private DNS Zone Contributor to write the
 * API server's record into the shared AKS private-link zone.
 *
 * Both roles in place gate the AKS cluster: `ready`.
 */
export function composeControlPlaneIdentity(
  spec: ClusterSpec,
  stamp: Stamp,
  network: NetworkFacts,
  observed: Observed,
  desired: DesiredResources,
): Outcome<{ ready: boolean }> {
  desired.set(
    keys.controlPlaneIdentity,
    render(UserAssignedIdentity, {
      metadata: meta(stamp, keys.controlPlaneIdentity, { azureName: azureNames.controlPlaneIdentity(spec) }),
      spec: { providerConfigRef: stamp.providerConfigRef, forProvider: { name: azureNames.controlPlaneIdentity(spec), ...placement(stamp) } },
    }),
  );

  const principalId = observed.atProvider(keys.controlPlaneIdentity, 'principalId');
  const waiting = { ready: false, waits: [composedGates.controlPlaneRoles()] };
  if (!principalId) return waiting;
  const grants = [
    {
      key: keys.controlPlaneNetworkRole,
      role: 'Network Contributor',
      scope: network.virtualNetworkId,
      why: 'AKS joins its nodes and API server to the spoke subnets',
    },
    { key: keys.controlPlaneDnsRole, role: 'Private DNS Zone Contributor', scope: network.zoneIds.aks, why: "AKS writes the private API server's record" },
  ];
  for (const grant of grants) desired.set(grant.key, roleAssignment(stamp, { principalId, ...grant }));
  return grants.every((grant) => observed.isReady(grant.key)) ? { ready: true, waits: [] } : waiting;
}
