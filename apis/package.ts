// Package identity shared by the Compositions, the examples and the package metadata.

/** Where the Configuration package is published (`npm run package` builds it). */
export const CONFIGURATION_PACKAGE = 'ghcr.io/k8tre/configuration-k8tre-azure';

/** Where the function's package is published; the Configuration depends on it. */
export const FUNCTION_PACKAGE = 'ghcr.io/k8tre/function-k8tre-azure';

/**
 * Crossplane names a dependency Function after its package path without the registry
 * (`ToDNSLabel`), and a Composition's functionRef must use that name.
 */
export const FUNCTION_NAME = FUNCTION_PACKAGE.split('/').slice(1).join('-');
