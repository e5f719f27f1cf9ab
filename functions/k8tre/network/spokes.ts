import {
  RouteTable,
  SecurityGroup,
  Subnet,
  SubnetNetworkSecurityGroupAssociation,
  SubnetRouteTableAssociation,
  VirtualNetwork,
  VirtualNetworkPeering,
} from '../../../imports/network.azure.m.upbound.io.js';
import { formatCidr } from '../lib/cidr.js';
import { render } from '../lib/manifest.js';
import { SUBNET_ROLES, type SpokePlan } from './address-plan.js';
import type { DesiredResources } from '../lib/composition.js';
import type { HubAttachment } from './hub.js';
import { azureNames, keys, meta, placement, refTo, spokeSubnetName } from './naming.js';
import { securityRules, type RuleSources } from './security-rules.js';
import type { NetworkSpec } from './spec.js';

/** AKS API server VNet integration needs its subnet delegated to the managed cluster service. */
const API_SERVER_DELEGATION = {
  name: 'aks-apiserver',
  serviceDelegation: {
    name: 'Microsoft.ContainerService/managedClusters',
    actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
  },
};

export function composeSpoke(spec: NetworkSpec, env: string, plan: SpokePlan, hub: HubAttachment, sources: RuleSources, desired: DesiredResources): void {
  const common = { providerConfigRef: spec.providerConfigRef };
  const rg = refTo(spec, keys.resourceGroup);

  desired.set(
    keys.spokeVnet(env),
    render(VirtualNetwork, {
      metadata: meta(spec, keys.spokeVnet(env), { azureName: azureNames.spokeVnet(spec, env), environment: env }),
      spec: {
        ...common,
        forProvider: { ...placement(spec, env), addressSpace: [formatCidr(plan.addressSpace)] },
      },
    }),
  );

  for (const role of SUBNET_ROLES) {
    desired.set(
      keys.spokeSubnet(env, role),
      render(Subnet, {
        metadata: meta(spec, keys.spokeSubnet(env, role), { azureName: spokeSubnetName[role], environment: env }),
        spec: {
          ...common,
          forProvider: {
            resourceGroupNameRef: rg,
            virtualNetworkNameRef: refTo(spec, keys.spokeVnet(env)),
            addressPrefixes: [formatCidr(plan.subnets[role])],
            // Egress goes through the cluster's load balancer or the hub firewall, never Azure's implicit path.
            defaultOutboundAccessEnabled: false,
            // Let NSGs and route tables apply to private endpoints too (Azure's default exempts them).
            ...(role === 'privateEndpoints' && { privateEndpointNetworkPolicies: 'Enabled' }),
            ...(role === 'apiServer' && { delegation: [API_SERVER_DELEGATION] }),
          },
        },
      }),
    );

    desired.set(
      keys.spokeNsg(env, role),
      render(SecurityGroup, {
        metadata: meta(spec, keys.spokeNsg(env, role), { azureName: azureNames.nsg(spec, env, role), environment: env }),
        spec: {
          ...common,
          forProvider: { ...placement(spec, env), securityRule: securityRules(role, plan, sources) },
        },
      }),
    );
    desired.set(
      keys.spokeNsgAssociation(env, role),
      render(SubnetNetworkSecurityGroupAssociation, {
        metadata: meta(spec, keys.spokeNsgAssociation(env, role), { environment: env }),
        spec: {
          ...common,
          forProvider: { subnetIdRef: refTo(spec, keys.spokeSubnet(env, role)), networkSecurityGroupIdRef: refTo(spec, keys.spokeNsg(env, role)) },
        },
      }),
    );

    desired.set(
      keys.spokeRouteTable(env, role),
      render(RouteTable, {
        metadata: meta(spec, keys.spokeRouteTable(env, role), { azureName: azureNames.routeTable(spec, env, role), environment: env }),
        spec: {
          ...common,
          forProvider: {
            ...placement(spec, env),
            // With a hub firewall, learned routes must not bypass it.
            bgpRoutePropagationEnabled: spec.egress === undefined,
            route:
              role === 'nodes' && spec.egress
                ? [{ name: 'default-via-hub-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopInIpAddress: spec.egress.nextHopIp }]
                : [],
          },
        },
      }),
    );
    // A route table applies only once associated; AKS's userDefinedRouting refuses a node subnet without one.
    desired.set(
      keys.spokeRouteTableAssociation(env, role),
      render(SubnetRouteTableAssociation, {
        metadata: meta(spec, keys.spokeRouteTableAssociation(env, role), { environment: env }),
        spec: {
          ...common,
          forProvider: { subnetIdRef: refTo(spec, keys.spokeSubnet(env, role)), routeTableIdRef: refTo(spec, keys.spokeRouteTable(env, role)) },
        },
      }),
    );
  }

  desired.set(
    keys.peeringToHub(env),
    render(VirtualNetworkPeering, {
      metadata: meta(spec, keys.peeringToHub(env), { azureName: azureNames.peeringToHub(env), environment: env }),
      spec: {
        ...common,
        forProvider: {
          resourceGroupNameRef: rg,
          virtualNetworkNameRef: refTo(spec, keys.spokeVnet(env)),
          ...(hub.vnetRef ? { remoteVirtualNetworkIdRef: hub.vnetRef } : { remoteVirtualNetworkId: hub.vnetId }),
          allowVirtualNetworkAccess: true,
          // Traffic the hub firewall forwards must be accepted.
          allowForwardedTraffic: true,
        },
      },
    }),
  );
  desired.set(
    keys.peeringFromHub(env),
    render(VirtualNetworkPeering, {
      metadata: meta(spec, keys.peeringFromHub(env), { azureName: azureNames.peeringFromHub(spec, env), environment: env }),
      spec: {
        ...common,
        forProvider: {
          ...hub.peeringHome,
          remoteVirtualNetworkIdRef: refTo(spec, keys.spokeVnet(env)),
          allowVirtualNetworkAccess: true,
          allowForwardedTraffic: true,
        },
      },
    }),
  );
}
