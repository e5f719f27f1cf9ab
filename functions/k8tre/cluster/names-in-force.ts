import { FieldError } from '../lib/field-error.js';
import type { Observed } from '../lib/observed.js';
import { azureNames, keys, STORAGE_PURPOSES } from './naming.js';
import type { ClusterSpec } from './spec.js';

// Azure renames a resource group, a Key Vault or a storage account by replacing it: a new, empty
// one, with the old one left behind, holding the data. Their names
// follow from spec.naming, the explicit names, the XR's name and its tenant (the hash), so a change
// to any of those would rename them. A name that Azure already has is kept: the function refuses
// the change and says how to keep the name in force.

export function checkNamesInForce(spec: ClusterSpec, observed: Observed): void {
  const wanted: { key: string; field: string; what: string; name: string }[] = [
    { key: keys.resourceGroup, field: 'spec.resourceGroupName', what: 'resource group', name: spec.resourceGroupName },
    { key: keys.dataResourceGroup, field: 'spec.dataResourceGroupName', what: 'data resource group', name: spec.dataResourceGroupName },
    { key: keys.keyVault, field: 'spec.keyVault.name', what: 'Key Vault', name: azureNames.keyVault(spec) },
    ...STORAGE_PURPOSES.map((purpose) => ({
      key: keys.storage(purpose),
      field: `spec.storage.accountNames.${purpose}`,
      what: `${purpose} storage account`,
      name: azureNames.storage(spec, purpose),
    })),
  ];
  for (const { key, field, what, name } of wanted) {
    const inForce = observed.externalName(key);
    // Azure's names of these are case-insensitive.
    if (typeof inForce !== 'string' || inForce.toLowerCase() === name.toLowerCase()) continue;
    throw new FieldError(
      field,
      `would rename the ${what} ${inForce} to ${name}, which Azure does only by replacing it; set ${field}: ${inForce} to keep it (spec.naming, spec.tenantId and the XR's name choose the default)`,
    );
  }
}
