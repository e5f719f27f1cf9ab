import { gates } from '../lib/waits.js';

// Every gate of an XK8treNetwork's composers, in the words its condition says (lib/waits.ts).
// test/function/gates.test.ts shuts each in turn and finds it told.

/** Gates that hold back `SpokesComposed`. */
export const spokeGates = gates('network', 'SpokesComposed', {
  legacyHandover: (environments: readonly string[]) =>
    `the resources of ${environments.join(', ')} to be observed without Delete in their management policies, and their paused spokes with every name they adopt, before the spokes take them over`,
  // What it waits for, not which of them are still missing: the message stays the same until all
  // are ready, since each change of the XR's status costs it a watch event (lib/pacing.ts).
  spokePrerequisites: (prerequisites: string, environments: readonly string[]) =>
    `${prerequisites} to become ready, before the spokes of ${environments.join(', ')}`,
});

/** Gates that hold back `GatewayComposed`. */
export const gatewayGates = gates('network', 'GatewayComposed', {
  gatewayIdentity: (identity: string) => `the gateway identity ${identity} to report its ID`,
  keyVaultRole: (role: string, identity: string) => `the ${role} role assignment for ${identity} to become ready`,
  wafPolicy: (policy: string) => `the WAF policy ${policy} to report its ID`,
  firstCertificates: (environments: readonly string[]) => `the Key Vault certificates of ${environments.join(', ')} to be issued`,
  // Without naming them: the message stays the same while certificates arrive (lib/pacing.ts).
  listenerCertificates: () => 'the Key Vault certificates of the exposed environments to be issued, before their listeners',
});

/** Gates that hold back `EgressReady`: first what the firewall XR needs, then the firewall itself. */
export const egressGates = gates('network', 'EgressReady', {
  hubForFirewall: (ownSubnet: boolean) => `the hub VNet${ownSubnet ? ' and its AzureFirewallSubnet' : ''} to become ready, before the firewall`,
});
export const firewallReadyGates = gates(
  'network',
  'EgressReady',
  { firewall: () => 'the hub firewall, its policy and rule collection groups to exist, before the spokes route through it' },
  'WaitingForFirewall',
);
