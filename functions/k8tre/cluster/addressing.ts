import { firstFreeBlock, formatAddress, formatCidr, overlaps, parseCidr, type Cidr } from '../lib/cidr.js';
import { FieldError } from '../lib/field-error.js';
import { defaults } from './api.js';
import type { NetworkFacts } from './network-input.js';
import type { ClusterSpec } from './spec.js';

// The cluster's own address spaces, which never appear in a VNet: AKS's service CIDR and the
// Cilium pod pool (pods are tunnelled and masqueraded). The reference left both at defaults
// that overlap each other (10.0.0.0/16 inside 10.0.0.0/8); here neither may overlap the other
// or any range the network uses, including its pool for future spokes.

export interface ClusterAddressing {
  readonly serviceCidr: Cidr;
  readonly dnsServiceIp: string;
  readonly podCidr: Cidr;
}

export function planClusterAddressing(spec: ClusterSpec, network: NetworkFacts, previousPodCidr: Cidr | undefined): ClusterAddressing {
  const clash = (cidr: Cidr) => network.addressRanges.find((r) => overlaps(r.cidr, cidr));

  const serviceClash = clash(spec.serviceCidr);
  if (serviceClash) throw new FieldError('spec.networking.serviceCidr', `${formatCidr(spec.serviceCidr)} overlaps ${serviceClash.describe} of the network`);

  let podCidr: Cidr | undefined = spec.podCidr;
  if (podCidr) {
    const podClash =
      clash(podCidr) ?? (overlaps(podCidr, spec.serviceCidr) ? { describe: `spec.networking.serviceCidr ${formatCidr(spec.serviceCidr)}` } : undefined);
    if (podClash) throw new FieldError('spec.networking.podCidr', `${formatCidr(podCidr)} overlaps ${podClash.describe}`);
  } else if (previousPodCidr && !clash(previousPodCidr) && !overlaps(previousPodCidr, spec.serviceCidr)) {
    // Moving a live cluster's pod pool would renumber every pod; keep what was chosen.
    podCidr = previousPodCidr;
  } else {
    const taken = [spec.serviceCidr, ...network.addressRanges.map((r) => r.cidr)];
    podCidr = firstFreeBlock(parseCidr(defaults.podCidrCandidates), defaults.podPrefixLength, taken);
    if (!podCidr) throw new FieldError('spec.networking.podCidr', `no free /${defaults.podPrefixLength} in ${defaults.podCidrCandidates}; set one explicitly`);
  }

  return { serviceCidr: spec.serviceCidr, dnsServiceIp: formatAddress(spec.serviceCidr.base + 10), podCidr };
}
