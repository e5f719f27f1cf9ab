import type { Construct } from 'constructs';
import { statusSchema } from '../../functions/k8tre/lib/contract.js';
import { KIND, PLURAL } from '../../functions/k8tre/firewall/api.js';
import { firewallSpecContract, firewallStatusContract } from '../../functions/k8tre/firewall/contract.js';
import { XrdChart } from '../lib/definition.js';

/** XK8treFirewall: written by an XK8treNetwork for its hub firewall (spec.egress.firewall), from the same contract the function reads. */
export class FirewallDefinition extends XrdChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      kind: KIND,
      plural: PLURAL,
      spec: firewallSpecContract.schema,
      status: statusSchema(firewallStatusContract),
      printerColumns: [
        { name: 'Network', jsonPath: '.spec.network' },
        { name: 'Tier', jsonPath: '.spec.tier' },
        { name: 'Private IP', jsonPath: '.status.privateIpAddress' },
      ],
    });
  }
}
