import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/k8tre/spoke/naming.js';
import type { SpokeSpec } from '../../functions/k8tre/spoke/contract.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { desired, fatalMessage, run, settledNetwork, status, type Json } from '../support/function.js';

// One environment's spoke (spoke/compose-spoke.ts), case by case, in-process: each case edits the
// spec the reference network tells its dev spoke, composes the XK8treSpoke directly, and says what
// it must compose and why. The network's tests cover what a spoke is told; these, what it makes of it.

const told = (settledNetwork().tree['spokes-1']?.spec as { spokes: { name: string; spec: SpokeSpec }[] }).spokes.find(
  (spoke) => spoke.spec.environment === 'dev',
)!;
const spokeXr = (spec: SpokeSpec): Json => ({
  apiVersion: 'azure.k8tre.io/v1alpha1',
  kind: 'XK8treSpoke',
  metadata: { name: told.name, namespace: 'k8tre' },
  spec,
});
const compose = (edit: (spec: SpokeSpec) => SpokeSpec, observed: Record<string, Json> = {}) => {
  const rsp = run(spokeXr(edit(structuredClone(told.spec))), observed);
  expect(fatalMessage(rsp)).toBeUndefined();
  return rsp;
};
const forProvider = (rsp: ReturnType<typeof run>, key: string) => (desired(rsp, key).spec as { forProvider: Record<string, unknown> }).forProvider;
const composedKeys = (rsp: ReturnType<typeof run>) => Object.keys(rsp.desired?.resources ?? {});
const ROLES = ['nodes', 'pe', 'ingress', 'apiserver'];

interface Case {
  readonly reason: string;
  readonly edit: (spec: SpokeSpec) => SpokeSpec;
  readonly want: (rsp: ReturnType<typeof run>) => void;
}

const cases: Record<string, Case> = {
  'every subnet without Azure’s implicit outbound access': {
    reason: 'Traffic leaves through the cluster’s load balancer or the hub firewall, never the default outbound IP Azure is retiring.',
    edit: (spec) => spec,
    want: (rsp) => {
      for (const role of ROLES) expect(forProvider(rsp, `subnet-${role}`)).toMatchObject({ defaultOutboundAccessEnabled: false });
    },
  },
  'NSGs and route tables on every subnet, associated': {
    reason: 'A network security group or route table applies only once associated, and AKS’s userDefinedRouting refuses a node subnet without one.',
    edit: (spec) => spec,
    want: (rsp) => {
      for (const role of ROLES) {
        expect(forProvider(rsp, `nsg-${role}-association`)).toEqual({
          subnetIdRef: { name: `${told.name}-subnet-${role}` },
          networkSecurityGroupIdRef: { name: `${told.name}-nsg-${role}` },
        });
        expect(forProvider(rsp, `rt-${role}-association`)).toEqual({
          subnetIdRef: { name: `${told.name}-subnet-${role}` },
          routeTableIdRef: { name: `${told.name}-rt-${role}` },
        });
      }
    },
  },
  'the API server subnet delegated, the endpoints’ under policy': {
    reason: 'API server VNet integration needs its subnet delegated to AKS; private endpoints ignore NSGs and routes unless their network policies are on.',
    edit: (spec) => spec,
    want: (rsp) => {
      expect(forProvider(rsp, 'subnet-apiserver')).toMatchObject({
        delegation: [{ serviceDelegation: { name: 'Microsoft.ContainerService/managedClusters' } }],
      });
      expect(forProvider(rsp, 'subnet-pe')).toMatchObject({ privateEndpointNetworkPolicies: 'Enabled' });
    },
  },
  'peered with the hub both ways, forwarding allowed': {
    reason: 'A hub firewall forwards the spokes’ traffic, so the hub peerings accept forwarded traffic; the management ones do not.',
    edit: (spec) => spec,
    want: (rsp) => {
      expect(forProvider(rsp, keys.peeringToHub)).toMatchObject({ allowForwardedTraffic: true, remoteVirtualNetworkIdRef: { name: 'k8tre-hub-vnet' } });
      expect(forProvider(rsp, keys.peeringFromHub)).toMatchObject({ allowForwardedTraffic: true, virtualNetworkName: 'vnet-k8tre-hub' });
      expect(forProvider(rsp, keys.peeringToManagement)).toMatchObject({ allowForwardedTraffic: false });
      expect(forProvider(rsp, keys.peeringToManagementSpoke)).toMatchObject({
        allowForwardedTraffic: false,
        remoteVirtualNetworkIdRef: { name: 'k8tre-mgmt-spoke-vnet' },
      });
    },
  },
  'no management network, no management peerings': {
    reason: 'Without spec.management or a management environment, nothing else is peered with the spoke.',
    edit: ({ management: _management, managementEnvironment: _environment, ...spec }) => spec,
    want: (rsp) => expect(composedKeys(rsp).filter((key) => key.includes('management'))).toEqual([]),
  },
  'the environment’s zone, and the shared private-link zones, linked without registration': {
    reason: 'Records are written by the endpoints and external-dns, never by VMs registering themselves.',
    edit: (spec) => spec,
    want: (rsp) => {
      const links = composedKeys(rsp).filter((key) => key.startsWith('dns-link-') || key.startsWith('dns-zone-link'));
      expect(links.sort()).toEqual([...told.spec.privateLinkZones.map((zone) => `dns-link-${zone.purpose}`), 'dns-zone-link', 'dns-zone-link-hub'].sort());
      for (const key of links) expect(forProvider(rsp, key)).toMatchObject({ registrationEnabled: false });
    },
  },
  'a next hop: the node subnet routes everything to it': {
    reason: 'With egress through a firewall, only the node subnet gets the default route, and learned routes must not bypass it.',
    edit: (spec) => ({ ...spec, egressNextHopIp: '10.100.1.4' }),
    want: (rsp) => {
      expect(forProvider(rsp, 'rt-nodes')).toMatchObject({
        bgpRoutePropagationEnabled: false,
        route: [{ name: 'default-via-hub-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopInIpAddress: '10.100.1.4' }],
      });
      expect(forProvider(rsp, 'rt-pe')).toMatchObject({ route: [] });
    },
  },
  'a NAT gateway on the node subnet only': {
    reason: 'egress.natGateway: the nodes leave through a NAT gateway of the spoke’s own with a static IP; the other subnets need no outbound path.',
    edit: (spec) => ({ ...spec, egressNatGateway: { idleTimeoutInMinutes: 10 } }),
    want: (rsp) => {
      expect(forProvider(rsp, keys.natGateway)).toMatchObject({ skuName: 'Standard', idleTimeoutInMinutes: 10 });
      expect(forProvider(rsp, keys.natGatewayAssociation)).toMatchObject({ subnetIdRef: { name: `${told.name}-subnet-nodes` } });
      expect(composedKeys(rsp).filter((key) => key.startsWith('nat-'))).toHaveLength(4);
    },
  },
};

describe('the spoke composer', () => {
  for (const [name, { reason, edit, want }] of Object.entries(cases)) it(`${name}: ${reason}`, () => want(compose(edit)));

  it('reports its outbound type only once Azure has the route on the associated node route table', () => {
    const withHop = (spec: SpokeSpec) => ({ ...spec, egressNextHopIp: '10.100.1.4' });
    const first = compose(withHop);
    expect(status(first).outboundType).toBeUndefined();
    const observed = Object.fromEntries(Object.entries(first.desired?.resources ?? {}).map(([key, r]) => [key, asObserved(r.resource as Manifest) as Json]));
    expect(status(compose(withHop, observed)).outboundType).toBe('userDefinedRouting');
    const { [keys.routeTableAssociation('nodes')]: _unassociated, ...withoutAssociation } = observed;
    expect(status(compose(withHop, withoutAssociation)).outboundType).toBeUndefined();
  });

  it('refuses a hub named both by ID and by reference, naming the field', () => {
    const rsp = run(
      spokeXr({ ...told.spec, hub: { ...told.spec.hub, virtualNetworkId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/z' } }),
    );
    expect(fatalMessage(rsp)).toMatch(/spec\.hub: names its VNet by exactly one of virtualNetworkId and virtualNetworkRef/);
  });
});
