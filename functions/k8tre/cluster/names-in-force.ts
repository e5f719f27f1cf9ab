import { FieldError } from '../lib/field-error.js';
import type { Observed } from '../lib/observed.js';
import { storesInForce } from './stores-in-force.js';
import { azureNames, keys, STORAGE_PURPOSES } from './naming.js';
import type { ClusterSpec } from './spec.js';

// Azure renames a resource group, a Key Vault or a storage account by replacing it: a new, empty
// one, with the old one left behind, holding the data. Their names
// follow from spec.naming, the explicit names, the XR's name and its tenant (the hash), so a change
// to any of those would rename them. A name that Azure already has is kept: the function refuses
// the change and says how to keep the name in force.

export function checkNamesInForce(spec: ClusterSpec, observed: Observed): void {
  const stores = storesInForce(observed).names;
  const wanted: { inForce: string | undefined; field: string; what: string; name: string }[] = [
    { inForce: observed.externalName(keys.resourceGroup), field: 'spec.resourceGroupName', what: 'resource group', name: spec.resourceGroupName },
    { inForce: stores.dataResourceGroup, field: 'spec.dataResourceGroupName', what: 'data resource group', name: spec.dataResourceGroupName },
    { inForce: stores.keyVault, field: 'spec.keyVault.name', what: 'Key Vault', name: azureNames.keyVault(spec) },
    ...STORAGE_PURPOSES.map((purpose) => ({
      inForce: stores.storage[purpose],
      field: `spec.storage.accountNames.${purpose}`,
      what: `${purpose} storage account`,
      name: azureNames.storage(spec, purpose),
    })),
  ];
  for (const { inForce, field, what, name } of wanted) {
    // Azure's names of these are case-insensitive.
    if (typeof inForce !== 'string' || inForce.toLowerCase() === name.toLowerCase()) continue;
    throw new FieldError(
      field,
      `would rename the ${what} ${inForce} to ${name}, which Azure does only by replacing it; set ${field}: ${inForce} to keep it (spec.naming, spec.tenantId and the XR's name choose the default)`,
    );
  }
}
