import { firstFreeBlock, formatAddress, formatCidr, overlaps, parseCidr, type Cidr } from '../lib/cidr.js';
import { FieldError } from '../lib/field-error.js';
import { defaults } from './api.js';
import { describeNetwork, type NetworkFacts } from './network-input.js';
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

/** The pod pool chosen before: `live` once Cilium runs with it, when it can no longer move. */
export interface PreviousPodCidr {
  readonly cidr: Cidr;
  readonly live: boolean;
}

export function planClusterAddressing(spec: ClusterSpec, network: NetworkFacts, previous: PreviousPodCidr | undefined, live: boolean): ClusterAddressing {
  const clash = (cidr: Cidr) => network.addressRanges.find((r) => overlaps(r.cidr, cidr));
  // A range the network gained over one a live cluster uses: the network's edit is what to undo.
  const networkEdit = (what: string, cidr: Cidr, describe: string) =>
    `${what} ${formatCidr(cidr)} is in force and cannot move, and ${describe} of ${describeNetwork(spec)} now overlaps it; move or remove that range in the network`;

  const serviceClash = clash(spec.serviceCidr);
  if (serviceClash) {
    throw new FieldError(
      'spec.networking.serviceCidr',
      live
        ? networkEdit('the service range', spec.serviceCidr, serviceClash.describe)
        : `${formatCidr(spec.serviceCidr)} overlaps ${serviceClash.describe} of the network`,
    );
  }

  let podCidr: Cidr | undefined = spec.podCidr;
  if (podCidr) {
    const podClash =
      clash(podCidr) ?? (overlaps(podCidr, spec.serviceCidr) ? { describe: `spec.networking.serviceCidr ${formatCidr(spec.serviceCidr)}` } : undefined);
    if (podClash) throw new FieldError('spec.networking.podCidr', `${formatCidr(podCidr)} overlaps ${podClash.describe}`);
  } else if (previous && !clash(previous.cidr) && !overlaps(previous.cidr, spec.serviceCidr)) {
    // Keep what was chosen: moving a live cluster's pod pool would renumber every pod.
    podCidr = previous.cidr;
  } else if (previous?.live) {
    const podClash = clash(previous.cidr);
    throw new FieldError('spec.networking.podCidr', networkEdit('the pod pool', previous.cidr, podClash?.describe ?? 'a range'));
  } else {
    const taken = [spec.serviceCidr, ...network.addressRanges.map((r) => r.cidr)];
    podCidr = firstFreeBlock(parseCidr(defaults.podCidrCandidates), defaults.podPrefixLength, taken);
    if (!podCidr) throw new FieldError('spec.networking.podCidr', `no free /${defaults.podPrefixLength} in ${defaults.podCidrCandidates}; set one explicitly`);
  }

  return { serviceCidr: spec.serviceCidr, dnsServiceIp: formatAddress(spec.serviceCidr.base + 10), podCidr };
}
