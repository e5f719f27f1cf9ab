import type { KubernetesClusterSpecForProviderMaintenanceWindowAutoUpgrade } from '../../../imports/containerservice.azure.m.upbound.io.js';
import type { AZURE_REGIONS } from '../network/regions.js';
import type { ClusterSpec, MaintenanceWindowSpec } from './spec.js';

// When AKS may upgrade a cluster: planned maintenance windows for the two channels aks.ts turns on
// (automaticUpgradeChannel patch, nodeOsUpgradeChannel NodeImage). Without a window AKS upgrades
// at any hour (https://learn.microsoft.com/azure/aks/planned-maintenance), which for a TRE means
// researchers' sessions drained in the working day.

/**
 * Standard-time UTC offsets of every region a network accepts (network/regions.ts), so that the
 * default windows (api.ts) fall at night where the cluster runs. AKS takes a fixed offset, with no
 * daylight saving: in summer a window starts an hour later by the clock, still at night. A region
 * added to Azure after the list (kept in force for a live network) gets UTC; set utcOffset.
 */
export const REGION_UTC_OFFSETS: Readonly<Record<(typeof AZURE_REGIONS)[number], string>> = {
  uksouth: '+00:00',
  ukwest: '+00:00',
  northeurope: '+00:00',
  westeurope: '+01:00',
  francecentral: '+01:00',
  francesouth: '+01:00',
  germanywestcentral: '+01:00',
  germanynorth: '+01:00',
  switzerlandnorth: '+01:00',
  switzerlandwest: '+01:00',
  norwayeast: '+01:00',
  norwaywest: '+01:00',
  swedencentral: '+01:00',
  swedensouth: '+01:00',
  polandcentral: '+01:00',
  italynorth: '+01:00',
  spaincentral: '+01:00',
  austriaeast: '+01:00',
  belgiumcentral: '+01:00',
  denmarkeast: '+01:00',
  israelcentral: '+02:00',
  southafricanorth: '+02:00',
  southafricawest: '+02:00',
  qatarcentral: '+03:00',
  uaenorth: '+04:00',
  uaecentral: '+04:00',
  centralindia: '+05:30',
  southindia: '+05:30',
  westindia: '+05:30',
  jioindiacentral: '+05:30',
  jioindiawest: '+05:30',
  indonesiacentral: '+07:00',
  eastasia: '+08:00',
  southeastasia: '+08:00',
  malaysiawest: '+08:00',
  japaneast: '+09:00',
  japanwest: '+09:00',
  koreacentral: '+09:00',
  koreasouth: '+09:00',
  australiaeast: '+10:00',
  australiasoutheast: '+10:00',
  australiacentral: '+10:00',
  australiacentral2: '+10:00',
  newzealandnorth: '+12:00',
  brazilsouth: '-03:00',
  brazilsoutheast: '-03:00',
  chilecentral: '-04:00',
  canadacentral: '-05:00',
  canadaeast: '-05:00',
  eastus: '-05:00',
  eastus2: '-05:00',
  centralus: '-06:00',
  northcentralus: '-06:00',
  southcentralus: '-06:00',
  mexicocentral: '-06:00',
  westcentralus: '-07:00',
  westus3: '-07:00',
  westus: '-08:00',
  westus2: '-08:00',
};

/** The offset a window is read in: the XR's, else the region's standard time, else UTC. */
export function windowOffset(window: MaintenanceWindowSpec, region: string): string {
  return window.utcOffset ?? (REGION_UTC_OFFSETS as Readonly<Record<string, string>>)[region] ?? '+00:00';
}

/** A weekly window as the provider takes it, for either channel (the two blocks have one shape). */
function weekly(window: MaintenanceWindowSpec, region: string): KubernetesClusterSpecForProviderMaintenanceWindowAutoUpgrade {
  return {
    frequency: 'Weekly',
    interval: 1,
    dayOfWeek: window.dayOfWeek,
    startTime: window.startTime,
    duration: window.durationHours,
    utcOffset: windowOffset(window, region),
  };
}

/** The AKS cluster's maintenance window fields. */
export function maintenanceWindows(spec: ClusterSpec, region: string) {
  return {
    maintenanceWindowAutoUpgrade: weekly(spec.maintenance.autoUpgrade, region),
    maintenanceWindowNodeOs: weekly(spec.maintenance.nodeOs, region),
  };
}
