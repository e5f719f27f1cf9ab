import { KubernetesCluster, KubernetesClusterNodePool } from '../../../imports/containerservice.azure.m.upbound.io.js';
import { formatCidr } from '../lib/cidr.js';
import type { DesiredResources } from '../lib/composition.js';
import { render } from '../lib/manifest.js';
import { optional } from '../lib/spec-reader.js';
import { meta, placement, refTo, type Stamp } from '../lib/stamp.js';
import type { ClusterAddressing } from './addressing.js';
import type { NetworkFacts } from './network-input.js';
import { maintenanceWindows } from './maintenance.js';
import { azureNames, keys, SYSTEM_POOL } from './naming.js';
import type { HostEncryption } from './host-encryption.js';
import type { ClusterSpec } from './spec.js';

/**
 * The private AKS cluster, as the reference's AVM module configured it, with its weaknesses
 * fixed: explicit service CIDR and DNS IP, API server VNet integration, every pool zonal,
 * the outbound type the network's egress sets up (user-defined routing or a NAT gateway), and no public FQDN; and the
 * AKS baseline's posture: no run command, Image Cleaner, encryption at host (host-encryption.ts)
 * and maintenance windows for both upgrade channels (maintenance.ts); and its monitoring
 * (monitoring.ts).
 */
export function composeCluster(
  spec: ClusterSpec,
  stamp: Stamp,
  network: NetworkFacts,
  addressing: ClusterAddressing,
  hostEncryption: HostEncryption,
  monitoring: Record<string, unknown>,
  desired: DesiredResources,
): void {
  const pool = spec.systemPool;
  desired.set(
    keys.cluster,
    render(KubernetesCluster, {
      metadata: meta(stamp, keys.cluster, { azureName: azureNames.cluster(spec) }),
      spec: {
        providerConfigRef: stamp.providerConfigRef,
        writeConnectionSecretToRef: { name: `${spec.name}-aks-connection` },
        forProvider: {
          dnsPrefix: spec.name,
          kubernetesVersion: spec.kubernetesVersion,
          automaticUpgradeChannel: 'patch',
          nodeOsUpgradeChannel: 'NodeImage',
          skuTier: 'Standard',
          identity: { type: 'UserAssigned', identityIdsRefs: [refTo(stamp, keys.controlPlaneIdentity)] },
          privateClusterEnabled: true,
          privateClusterPublicFqdnEnabled: false,
          privateDnsZoneId: network.zoneIds.aks,
          apiServerAccessProfile: { virtualNetworkIntegrationEnabled: true, subnetId: network.subnetIds.apiServer },
          localAccountDisabled: true,
          roleBasedAccessControlEnabled: true,
          // Azure RBAC authorises Kubernetes access too, so identities (the management providers,
          // ArgoCD) get a role on the cluster instead of a long-lived token or group membership.
          azureActiveDirectoryRoleBasedAccessControl: { adminGroupObjectIds: [...spec.adminGroupObjectIds], tenantId: spec.tenantId, azureRbacEnabled: true },
          oidcIssuerEnabled: true,
          workloadIdentityEnabled: true,
          azurePolicyEnabled: true,
          keyVaultSecretsProvider: { secretRotationEnabled: true },
          // Run command gives anyone with the cluster's Azure role a shell-like path around
          // Kubernetes RBAC and audit; the private API server is reached from the hub instead.
          // https://learn.microsoft.com/azure/aks/access-private-cluster#disable-run-command
          runCommandEnabled: spec.security.runCommand,
          // Removes unused, often vulnerable, images from nodes. https://learn.microsoft.com/azure/aks/image-cleaner
          imageCleanerEnabled: true,
          imageCleanerIntervalHours: spec.security.imageCleanerIntervalHours,
          ...maintenanceWindows(spec, stamp.region),
          // Managed Prometheus, Container Insights and Defender, into the network's workspaces (monitoring.ts).
          ...monitoring,
          storageProfile: { blobDriverEnabled: true, diskDriverEnabled: true, fileDriverEnabled: true },
          networkProfile: {
            // Bring your own CNI: Cilium is installed into the cluster after it exists.
            networkPlugin: 'none',
            serviceCidr: formatCidr(addressing.serviceCidr),
            dnsServiceIp: addressing.dnsServiceIp,
            loadBalancerSku: 'standard',
            // AKS migrates a live cluster between these in place (https://learn.microsoft.com/azure/aks/egress-outboundtype#updating-outboundtype-after-cluster-creation).
            outboundType: network.outboundType,
          },
          autoScalerProfile: { balanceSimilarNodeGroups: true },
          defaultNodePool: {
            name: SYSTEM_POOL,
            // Pools follow the control plane's minor version; left unset, a version bump would
            // upgrade the control plane only (the day-2 test found it).
            orchestratorVersion: spec.kubernetesVersion,
            vmSize: pool.vmSize,
            autoScalingEnabled: true,
            minCount: pool.minCount,
            maxCount: pool.maxCount,
            maxPods: pool.maxPods,
            osSku: 'AzureLinux',
            osDiskType: 'Managed',
            ...optional('hostEncryptionEnabled', hostEncryption(SYSTEM_POOL)),
            zones: [...pool.zones],
            vnetSubnetId: network.subnetIds.nodes,
            // The system pool runs only critical add-ons (the CriticalAddonsOnly taint); workloads
            // go to the user pools, of which there is always one.
            // https://learn.microsoft.com/azure/aks/use-system-pools
            onlyCriticalAddonsEnabled: true,
            temporaryNameForRotation: `${SYSTEM_POOL}tmp`,
            upgradeSettings: { maxSurge: '10%', drainTimeoutInMinutes: 10 },
          },
          ...placement(stamp),
        },
      },
    }),
  );

  for (const userPool of spec.nodePools) {
    desired.set(
      keys.nodePool(userPool.name),
      render(KubernetesClusterNodePool, {
        metadata: meta(stamp, keys.nodePool(userPool.name), { azureName: userPool.name }),
        spec: {
          providerConfigRef: stamp.providerConfigRef,
          forProvider: {
            kubernetesClusterIdRef: refTo(stamp, keys.cluster),
            mode: 'User',
            orchestratorVersion: spec.kubernetesVersion,
            vmSize: userPool.vmSize,
            autoScalingEnabled: true,
            minCount: userPool.minCount,
            maxCount: userPool.maxCount,
            maxPods: userPool.maxPods,
            osSku: userPool.osSku,
            osDiskType: 'Managed',
            ...optional('hostEncryptionEnabled', hostEncryption(userPool.name)),
            zones: [...userPool.zones],
            vnetSubnetId: network.subnetIds.nodes,
            temporaryNameForRotation: `${userPool.name}tmp`,
            upgradeSettings: { maxSurge: '10%', drainTimeoutInMinutes: 10 },
            ...(Object.keys(userPool.labels).length > 0 && { nodeLabels: { ...userPool.labels } }),
            ...(userPool.taints.length > 0 && { nodeTaints: [...userPool.taints] }),
            tags: { ...stamp.tags },
          },
        },
      }),
    );
  }
}
