import { ResourceGroup } from '../../../imports/azure.m.upbound.io.js';
import { Subnet, VirtualNetwork } from '../../../imports/network.azure.m.upbound.io.js';
import { blockAt, formatCidr, type Cidr } from '../lib/cidr.js';
import { render } from '../lib/manifest.js';
import type { DesiredResources } from '../lib/composition.js';
import { parseArmId } from '../lib/arm-id.js';
import { azureNames, hubSubnetName, keys, meta, placement, refTo, tags } from './naming.js';
import type { NetworkSpec } from './spec.js';

/**
 * How other resources reach the hub: by reference to the VNet this XR composes, or by the
 * IDs of an existing one. Exactly one form is set in each pair.
 */
export interface HubAttachment {
  readonly vnetRef?: { name: string };
  readonly vnetId?: string;
  readonly appGatewaySubnetRef?: { name: string };
  readonly appGatewaySubnetId?: string;
  /** Where peerings from the hub side live. */
  readonly peeringHome: {
    resourceGroupNameRef?: { name: string };
    resourceGroupName?: string;
    virtualNetworkNameRef?: { name: string };
    virtualNetworkName?: string;
  };
}

/**
 * A created hub's fixed layout: the gateway /24 first (Azure recommends /24 for App Gateway
 * v2 autoscale), then the /26 subnets in the next /24. Fixed offsets mean enabling the
 * firewall later never moves the gateway. Azure Firewall needs /26 for both its subnets
 * (https://learn.microsoft.com/azure/firewall/firewall-faq#why-does-azure-firewall-need-a--26-subnet-size).
 */
export function hubSubnets(hub: Cidr): Record<keyof typeof hubSubnetName, Cidr> {
  return {
    applicationGateway: blockAt(hub, 0, 24),
    firewall: blockAt(hub, 256, 26),
    management: blockAt(hub, 256 + 64, 26),
    firewallManagement: blockAt(hub, 256 + 128, 26),
  };
}

export function composeResourceGroup(spec: NetworkSpec, desired: DesiredResources): void {
  desired.set(
    keys.resourceGroup,
    render(ResourceGroup, {
      metadata: meta(spec, keys.resourceGroup, { azureName: spec.resourceGroupName }),
      spec: { providerConfigRef: spec.providerConfigRef, forProvider: { location: spec.region, tags: tags(spec) } },
    }),
  );
}

/**
 * Composes the hub. `ownsFirewallSubnet`: this XR composes AzureFirewallSubnet (hub.firewallSubnet,
 * or one it made before); a composed firewall brings its own otherwise (network/egress.ts).
 */
export function composeHub(spec: NetworkSpec, desired: DesiredResources, ownsFirewallSubnet: boolean): HubAttachment {
  const hub = spec.hub;
  if (hub.mode === 'existing') {
    const { resourceGroupName, name } = parseArmId(hub.virtualNetworkId);
    return {
      vnetId: hub.virtualNetworkId,
      appGatewaySubnetId: hub.applicationGatewaySubnetId,
      peeringHome: { resourceGroupName, virtualNetworkName: name },
    };
  }

  desired.set(
    keys.hubVnet,
    render(VirtualNetwork, {
      metadata: meta(spec, keys.hubVnet, { azureName: azureNames.hubVnet(spec) }),
      spec: {
        providerConfigRef: spec.providerConfigRef,
        forProvider: { addressSpace: [formatCidr(hub.addressSpace)], ...placement(spec) },
      },
    }),
  );

  const layout = hubSubnets(hub.addressSpace);
  const wanted: (keyof typeof hubSubnetName)[] = ['applicationGateway'];
  if (ownsFirewallSubnet) wanted.push('firewall');
  if (hub.managementSubnet) wanted.push('management');
  for (const which of wanted) {
    desired.set(
      keys.hubSubnet(which),
      render(Subnet, {
        metadata: meta(spec, keys.hubSubnet(which), { azureName: hubSubnetName[which] }),
        spec: {
          providerConfigRef: spec.providerConfigRef,
          forProvider: {
            resourceGroupNameRef: refTo(spec, keys.resourceGroup),
            virtualNetworkNameRef: refTo(spec, keys.hubVnet),
            addressPrefixes: [formatCidr(layout[which])],
            // The firewall subnet must keep Azure's default outbound access; the others need none.
            ...(which !== 'firewall' && { defaultOutboundAccessEnabled: false }),
          },
        },
      }),
    );
  }

  return {
    vnetRef: refTo(spec, keys.hubVnet),
    appGatewaySubnetRef: refTo(spec, keys.hubSubnet('applicationGateway')),
    peeringHome: { resourceGroupNameRef: refTo(spec, keys.resourceGroup), virtualNetworkNameRef: refTo(spec, keys.hubVnet) },
  };
}
