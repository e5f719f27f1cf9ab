import { describe, expect, it } from 'vitest';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { settle, settledDevCluster, withField, type Json } from '../support/function.js';

// The AKS cluster the XK8treCluster composes (cluster/aks.ts and what it takes from posture,
// maintenance and monitoring), case by case, in-process: each case edits examples/cluster/dev.yaml,
// settles it against the settled example network, and says what AKS must be given and why.

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
const dev = settledDevCluster();
const aksOf = (xr: Json) => (settle(xr, observe, dev.required).tree['aks']?.spec as { forProvider: Record<string, unknown> }).forProvider;
const reference = aksOf(dev.xr);

interface Case {
  readonly reason: string;
  readonly xr?: Json;
  readonly want: Record<string, unknown>;
}

const cases: Record<string, Case> = {
  'a private API server in the spoke': {
    reason:
      'The API server has no public address: it is VNet-integrated in the spoke’s delegated subnet and resolves through the network’s shared AKS private zone.',
    want: {
      privateClusterEnabled: true,
      privateClusterPublicFqdnEnabled: false,
      privateDnsZoneId: expect.stringMatching(/PrivateDNSZone\/k8tre-dns-zone-aks$/),
      apiServerAccessProfile: { virtualNetworkIntegrationEnabled: true, subnetId: expect.stringMatching(/k8tre-dev-spoke-subnet-apiserver$/) },
    },
  },
  'Entra ID sign-in only': {
    reason: 'No local accounts, so no long-lived admin certificate; Azure RBAC, with the XR’s admin groups.',
    want: {
      localAccountDisabled: true,
      azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true, adminGroupObjectIds: ['11111111-1111-1111-1111-111111111111'] },
    },
  },
  'workload identity': {
    reason: 'Every K8TRE component reaches Azure as a federated identity, which needs the OIDC issuer.',
    want: { oidcIssuerEnabled: true, workloadIdentityEnabled: true },
  },
  'Cilium as its own CNI': {
    reason: 'networkPlugin none: Cilium is installed by the cluster’s Helm release, with the service range from the XR’s plan.',
    want: { networkProfile: { networkPlugin: 'none', serviceCidr: '100.64.0.0/16', dnsServiceIp: '100.64.0.10', outboundType: 'loadBalancer' } },
  },
  'a system pool for critical add-ons only': {
    reason: 'System pods apart from research workloads, across zones, with host encryption where the size supports it.',
    want: {
      defaultNodePool: expect.objectContaining({
        name: 'system',
        onlyCriticalAddonsEnabled: true,
        zones: ['1', '2', '3'],
        hostEncryptionEnabled: true,
        osSku: 'AzureLinux',
        vnetSubnetId: expect.stringMatching(/k8tre-dev-spoke-subnet-nodes$/),
      }),
    },
  },
  'the posture the AKS baseline asks for': {
    reason: 'No run-command (it runs as cluster admin outside Kubernetes RBAC), stale images cleaned weekly, Azure Policy, rotated Key Vault secrets.',
    want: {
      runCommandEnabled: false,
      imageCleanerEnabled: true,
      imageCleanerIntervalHours: 168,
      azurePolicyEnabled: true,
      keyVaultSecretsProvider: { secretRotationEnabled: true },
    },
  },
  'weekend-night maintenance': {
    reason: 'Kubernetes patches on Saturday, node images on Sunday, so that a bad patch and a bad image never land the same night.',
    want: {
      automaticUpgradeChannel: 'patch',
      nodeOsUpgradeChannel: 'NodeImage',
      maintenanceWindowAutoUpgrade: expect.objectContaining({ dayOfWeek: 'Saturday', startTime: '01:00' }),
      maintenanceWindowNodeOs: expect.objectContaining({ dayOfWeek: 'Sunday', startTime: '01:00' }),
    },
  },
  'another maintenance night': {
    reason: 'The XR’s own window replaces the default, as given.',
    xr: withField(dev.xr, 'spec.maintenance', { nodeOs: { dayOfWeek: 'Wednesday', startTime: '02:00', durationHours: 4 } }),
    want: { maintenanceWindowNodeOs: expect.objectContaining({ dayOfWeek: 'Wednesday', startTime: '02:00', duration: 4 }) },
  },
  'the network’s monitoring': {
    reason: 'Managed Prometheus, Container Insights and Defender send to the workspaces the network publishes.',
    want: {
      monitorMetrics: { annotationsAllowed: '', labelsAllowed: '' },
      omsAgent: { logAnalyticsWorkspaceId: expect.stringMatching(/k8tre-monitoring-log-analytics$/), msiAuthForMonitoringEnabled: true },
      microsoftDefender: { logAnalyticsWorkspaceId: expect.stringMatching(/k8tre-monitoring-log-analytics$/) },
    },
  },
};

describe('the AKS composer', () => {
  for (const [name, { reason, xr, want }] of Object.entries(cases)) {
    it(`${name}: ${reason}`, () => expect(xr ? aksOf(xr) : reference).toMatchObject(want));
  }

  it('Defender off: no profile, the rest of monitoring kept', () => {
    const aks = aksOf(withField(dev.xr, 'spec.security', { defender: false }));
    expect(aks.microsoftDefender).toBeUndefined();
    expect(aks.monitorMetrics).toBeDefined();
  });
});
