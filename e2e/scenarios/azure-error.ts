import { waitFor, condition } from '../lib/kube.js';
import { COMPOSITE_LABEL } from '../lib/stand-in-provider.js';
import { network } from '../platform.js';
import { check, some, type Scenario } from './scenario.js';
import { checkNothingLost, compare, snapshot } from './snapshot.js';

// Issue 13's scenario 3. Azure refuses one resource, the gateway: the refusal shows on the network XR with Azure's
// message, naming the resource, and nothing else is touched. Once Azure accepts it, the XR
// is Ready again.

/** What Upjet reports when Azure refuses an Application Gateway update (its format, Azure's code). */
export const GATEWAY_REFUSAL =
  'update failed: async update failed: failed to update the resource: [{0 updating Application Gateway (Subscription: "00000000-0000-0000-0000-000000000000" Resource Group Name: "rg-k8tre-network" Application Gateway Name: "agw-k8tre"): performing CreateOrUpdate: unexpected status 400 (400 Bad Request) with error: ApplicationGatewayListenerLimitReached: stand-in error for the end-to-end test}]';

export const azureError: Scenario = {
  name: 'azure-error',
  title: "an Azure error on the gateway shows on the network XR with Azure's message; nothing else is touched",
  async run(platform) {
    const before = await snapshot(platform);
    platform.provider.fail({
      matches: (mr) => mr.kind === 'ApplicationGateway' && mr.metadata.labels?.[COMPOSITE_LABEL] === 'k8tre',
      message: GATEWAY_REFUSAL,
    });
    const xr = await waitFor(
      "the network's ResourcesSynced=False with Azure's message",
      async () => {
        const found = await platform.xr(network('k8tre'));
        return condition(found, 'ResourcesSynced')?.status === 'False' ? found : undefined;
      },
      3 * 60_000,
    );
    const reported = condition(xr, 'ResourcesSynced');
    check(reported?.message?.includes(GATEWAY_REFUSAL.slice(0, 200)) === true, `ResourcesSynced does not carry Azure's message: ${reported?.message}`);
    check(reported?.message?.startsWith('gateway: ') === true, `ResourcesSynced does not name the gateway first: ${reported?.message}`);
    check(condition(xr, 'Ready')?.status === 'False', 'the network stayed Ready while Azure refused its gateway');

    const during = compare(before, await snapshot(platform));
    checkNothingLost(during, 'the gateway error');
    check(
      during.added.length === 0 && during.changed.length === 0,
      () => `the gateway error changed other resources:\n  ${some([...during.added, ...during.changed])}`,
    );

    platform.provider.heal();
    await platform.waitReady([network('k8tre')], 5 * 60_000);
    const healed = await platform.xr(network('k8tre'));
    check(condition(healed, 'ResourcesSynced')?.status === 'True', 'ResourcesSynced stayed False after Azure accepted the gateway');
  },
};
