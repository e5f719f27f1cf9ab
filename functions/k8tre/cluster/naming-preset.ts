import { FieldError } from '../lib/field-error.js';
import { patterns } from './api.js';

// Naming presets: the default names every Azure resource uniquely (a hash of tenant, namespace and
// XR, so two tenants never collide), and `K8TRE` uses the names an unmodified K8TRE reads. K8TRE's
// Azure overlays hard-code them: its rwx-default storage class mounts account stgk8trecore<env> in
// resource group rg-k8tre-<env>-uks-aks (agnostics/storage-class/azure/envs/*/rwx-default.yaml),
// names the Terraform reference gave its stores (k8tre-azure modules/cluster/main.tf), along with
// stgk8treworkspace<env> and <env>-k8tre-kv. "uks" is in K8TRE's files whatever the region.
//
// Storage account and Key Vault names are global in Azure, so with this preset a second platform
// using the same environment names cannot be created. Choose it when the XR is created: renaming
// a store means replacing it.

export type NamingPreset = 'Unique' | 'K8TRE';
export const NAMING_PRESETS: readonly NamingPreset[] = ['Unique', 'K8TRE'];

export interface PresetNames {
  readonly resourceGroupName: string;
  readonly dataResourceGroupName: string;
  readonly keyVaultName?: string;
  readonly coreStorageName?: string;
  readonly workspaceStorageName?: string;
}

/** `given`: the accounts spec.storage.accountNames names, whose preset names are not used. */
export function presetNames(preset: NamingPreset, xrName: string, environment: string, given: { core?: boolean; workspace?: boolean } = {}): PresetNames {
  if (preset === 'Unique') return { resourceGroupName: `rg-${xrName}-aks`, dataResourceGroupName: `rg-${xrName}-data` };
  const names = {
    // The data stores' group is the one K8TRE's storage class reads; the cluster's is beside it.
    resourceGroupName: `rg-k8tre-${environment}-uks-cluster`,
    dataResourceGroupName: `rg-k8tre-${environment}-uks-aks`,
    keyVaultName: `${environment}-k8tre-kv`,
    coreStorageName: `stgk8trecore${environment}`,
    workspaceStorageName: `stgk8treworkspace${environment}`,
  };
  for (const [purpose, name] of [
    ['core', names.coreStorageName],
    ['workspace', names.workspaceStorageName],
  ] as const) {
    if (given[purpose] || patterns.storageAccountName.pattern.test(name)) continue;
    throw new FieldError(
      'spec.naming',
      `K8TRE names environment ${environment}'s ${purpose} storage account ${name}, longer than Azure's 24 characters; set spec.storage.accountNames.${purpose} or use a shorter environment name`,
    );
  }
  return names;
}
