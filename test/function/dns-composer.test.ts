import { describe, expect, it } from 'vitest';
import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { PRIVATE_LINK_ZONE_KEYS } from '../../functions/k8tre/network/api.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { loadExample, settle, spokeOf, withField, type Json } from '../support/function.js';

// The network's private DNS (network/dns.ts, network/management-reach.ts), case by case,
// in-process: which private-link zones it makes, which it takes from a landing zone, and which
// networks each is linked to. Each case edits the reference network and settles it.

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
const reference = loadExample('examples/network/k8tre.yaml');
const treeOf = (xr: Json) => settle(xr, observe).tree;
const forProvider = (manifest: Json | undefined) => (manifest?.spec as { forProvider: Record<string, unknown> }).forProvider;
const azureName = (manifest: Json | undefined) => (manifest?.metadata as { annotations?: Record<string, string> }).annotations?.[EXTERNAL_NAME];
const LANDING_BLOB =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lz-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net';

interface Case {
  readonly reason: string;
  readonly xr: Json;
  readonly want: (tree: Record<string, Json>) => void;
}

const cases: Record<string, Case> = {
  'every private-link zone, named as Azure resolves it': {
    reason: 'Private endpoints and private API servers register in these exact names (the AKS one per region); any other name would not resolve.',
    xr: reference,
    want: (tree) => {
      expect(PRIVATE_LINK_ZONE_KEYS.map((key) => azureName(tree[`dns-zone-${key}`]))).toEqual([
        'privatelink.uksouth.azmk8s.io',
        'privatelink.blob.core.windows.net',
        'privatelink.file.core.windows.net',
        'privatelink.queue.core.windows.net',
        'privatelink.table.core.windows.net',
        'privatelink.dfs.core.windows.net',
        'privatelink.vaultcore.azure.net',
      ]);
    },
  },
  'linked to the hub and the Crossplane network, never registering': {
    reason:
      'The hub and the network Crossplane runs in resolve the private API servers and stores through them; records come from the endpoints, not from VMs.',
    xr: reference,
    want: (tree) => {
      for (const key of PRIVATE_LINK_ZONE_KEYS) {
        expect(forProvider(tree[`dns-link-${key}-hub`])).toMatchObject({ virtualNetworkIdRef: { name: 'k8tre-hub-vnet' }, registrationEnabled: false });
        expect(forProvider(tree[`dns-link-${key}-management`])).toMatchObject({
          virtualNetworkId: expect.stringMatching(/vnet-k8tre-crossplane$/),
          registrationEnabled: false,
        });
      }
    },
  },
  'a region’s AKS zone': {
    reason: 'AKS registers private API servers in privatelink.<region>.azmk8s.io.',
    xr: withField(reference, 'spec.region', 'westeurope'),
    want: (tree) => expect(azureName(tree['dns-zone-aks'])).toBe('privatelink.westeurope.azmk8s.io'),
  },
  'a landing zone’s zone instead of its own': {
    reason:
      'Where the landing zone owns privatelink.blob, the network makes no second one (a hub holds one link per zone name), and its spokes link to the landing zone’s.',
    xr: withField(reference, 'spec.dns.privateLinkZones', { blob: LANDING_BLOB }),
    want: (tree) => {
      expect(tree['dns-zone-blob']).toBeUndefined();
      expect(tree['dns-link-blob-hub']).toBeUndefined();
      expect(forProvider(spokeOf(tree, 'dev')['dns-link-blob'])).toMatchObject({
        resourceGroupName: 'rg-lz-dns',
        privateDnsZoneName: 'privatelink.blob.core.windows.net',
      });
    },
  },
  'no links to the Crossplane network when told not to': {
    reason: 'management.linkPrivateDnsZones: false leaves name resolution there to the organisation’s own DNS.',
    xr: withField(reference, 'spec.management.linkPrivateDnsZones', false),
    want: (tree) => expect(Object.keys(tree).filter((key) => /^dns-link-.*-management$/.test(key))).toEqual([]),
  },
};

describe('the private DNS composer', () => {
  for (const [name, { reason, xr, want }] of Object.entries(cases)) it(`${name}: ${reason}`, () => want(treeOf(xr)));
});
