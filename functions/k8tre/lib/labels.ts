// The labels the package puts on what it composes; also how one XR finds what another composed.

export const LABEL_NETWORK = 'azure.k8tre.io/network';
export const LABEL_ENVIRONMENT = 'azure.k8tre.io/environment';
export const LABEL_CLUSTER = 'azure.k8tre.io/cluster';
