import { describe, expect, it } from 'vitest';
import { handover, handoverWaits, ORPHANING_POLICIES } from '../../functions/k8tre/lib/adoption.js';
import { Observed } from '../../functions/k8tre/lib/observed.js';

// lib/adoption.ts's handover, which a cluster's data stores and workload identities take to move
// onto their XRs. The migration tests play whole upgrades; these cases pin the states an upgrade
// rarely passes through, where a mistake would delete an Azure resource or strand a paused XR.

const vault = (policies?: string[]) => ({
  resource: {
    apiVersion: 'keyvault.azure.m.upbound.io/v1beta1',
    kind: 'Vault',
    metadata: { name: 'kv' },
    spec: { ...(policies && { managementPolicies: policies }) },
  },
});
const observedWith = (policies?: string[]) => Observed.from({ 'key-vault': vault(policies) });
const child = { running: false, composed: false, told: false, ready: true };

const cases: {
  readonly reason: string;
  readonly observed: Observed;
  readonly held: string[];
  readonly child: typeof child;
  readonly want: { child: string; held: string[]; waitingAt?: string };
}[] = [
  {
    reason: 'nothing to move: a new child is composed once what it needs exists',
    observed: observedWith(),
    held: [],
    child,
    want: { child: 'running', held: [] },
  },
  {
    reason: 'nothing to move and what it needs missing: no child yet',
    observed: observedWith(),
    held: [],
    child: { ...child, ready: false },
    want: { child: 'no', held: [] },
  },
  {
    reason: 'step 1: a resource that may still delete is held without Delete, and no child is composed beside it',
    observed: observedWith(['*']),
    held: ['key-vault'],
    child,
    want: { child: 'no', held: ['key-vault'], waitingAt: 'orphaning' },
  },
  {
    reason: 'a paused child already composed stays composed even if a held resource may delete again: deleting a paused XR waits for ever',
    observed: observedWith(['*']),
    held: ['key-vault'],
    child: { ...child, composed: true },
    want: { child: 'paused', held: ['key-vault'], waitingAt: 'orphaning' },
  },
  {
    reason: 'step 2: held without Delete, the child is composed paused until it is observed told every name',
    observed: observedWith(ORPHANING_POLICIES),
    held: ['key-vault'],
    child: { ...child, composed: true },
    want: { child: 'paused', held: ['key-vault'], waitingAt: 'paused' },
  },
  {
    reason: 'step 3: the child told, the parent drops what it held and unpauses the child',
    observed: observedWith(ORPHANING_POLICIES),
    held: ['key-vault'],
    child: { ...child, composed: true, told: true },
    want: { child: 'running', held: [] },
  },
  {
    reason: 'a running child beside an old object that may still delete: the parent holds it without Delete until it cannot',
    observed: observedWith(['*']),
    held: ['key-vault'],
    child: { ...child, running: true, composed: true, told: true },
    want: { child: 'running', held: ['key-vault'] },
  },
  {
    reason: 'a running child beside an old object that can no longer delete: the parent lets it go',
    observed: observedWith(ORPHANING_POLICIES),
    held: ['key-vault'],
    child: { ...child, running: true, composed: true, told: true },
    want: { child: 'running', held: [] },
  },
];

describe('handing resources over to a child XR', () => {
  it.each(cases)('$reason', ({ observed, held, child: state, want }) => {
    const result = handover(observed, held, state);
    expect({ child: result.child, held: [...result.held.keys()], ...(result.waitingAt && { waitingAt: result.waitingAt }) }).toEqual(want);
    // The XR waits at the caller's gate for the step, and at none once it waits no more.
    const gate = (step: string) => ({ gate: step, condition: 'Composed', reason: 'WaitingForPrerequisites', message: step });
    expect(handoverWaits(result, { orphaning: gate('orphaning'), paused: gate('paused') }).map((wait) => wait.gate)).toEqual(
      want.waitingAt ? [want.waitingAt] : [],
    );
    // Whatever the parent holds, it holds so that nothing can delete it in Azure.
    for (const manifest of result.held.values()) expect((manifest.spec as { managementPolicies: string[] }).managementPolicies).toEqual(ORPHANING_POLICIES);
  });
});
