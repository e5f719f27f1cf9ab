import { describe, expect, it } from 'vitest';
import * as c from '../../functions/k8tre/lib/contract.js';
import { runFunction } from '../../functions/k8tre/handler.js';
import { requestFor, fatalMessage, reconcileInProcess, type Json } from '../../scripts/lib/in-process.js';
import { loadExample } from '../support/function.js';

// A child XR reads the spec its parent wrote through the same contract the XRD's schema comes
// from. A person can still edit a child: what does not fit is refused, naming the field.

const contract = c.object('A thing.', {
  name: c.string('Its name.', { pattern: '^[a-z]+$' }),
  size: c.integer('Its size.'),
  tags: c.map('Tags.', c.string('A value.')),
  parts: c.array('Parts.', c.object('A part.', { role: c.string('Role.', { enum: ['a', 'b'] }), id: c.optional(c.string('ID.')) })),
  note: c.optional(c.string('A note.')),
});

describe('reading a spec by its contract', () => {
  const good = { name: 'x', size: 2, tags: { team: 'r' }, parts: [{ role: 'a' }] };

  it('returns what fits, optional fields left out', () => {
    expect(c.read(contract, good, 'spec')).toEqual(good);
  });

  it.each([
    ['a missing required field', { ...good, size: undefined }, 'spec.size: is required'],
    ['a wrong type', { ...good, size: '2' }, 'spec.size: is "2", not an integer'],
    ['a value off its pattern', { ...good, name: 'X1' }, 'spec.name: "X1" does not match ^[a-z]+$'],
    ['a value off its enum, deep in a list', { ...good, parts: [{ role: 'a' }, { role: 'c' }] }, 'spec.parts[1].role: "c" is not one of a, b'],
    ['a field the API does not have', { ...good, colour: 'red' }, 'spec.colour: is not a field of this API'],
  ])('refuses %s, naming the field', (_, value, message) => {
    expect(() => c.read(contract, value, 'spec')).toThrow(message);
  });

  it('gives a status schema nothing required but list-map keys', () => {
    const status = c.statusSchema(
      c.object('S.', { id: c.string('ID.'), items: c.listMap('Items.', 'name', c.object('I.', { name: c.string('N.'), v: c.string('V.') })) }),
    );
    expect(status.required).toBeUndefined();
    expect(status.properties?.items?.items?.required).toEqual(['name']);
    expect(contract.schema.required).toEqual(['name', 'size', 'tags', 'parts']);
  });
});

describe('a spoke whose spec was edited by hand', () => {
  const network = reconcileInProcess(loadExample('examples/network/k8tre.yaml'));
  const group = network.children.get('spokes-1')!;
  const spoke = [...group.children.values()][0]!.xr;

  it('is refused with the field named, and composes nothing new', () => {
    const edited = { ...spoke, spec: { ...(spoke.spec as Json), addressSpace: 'ten' } };
    expect(fatalMessage(runFunction(requestFor(edited)))).toMatch(/^invalid input: spec\.addressSpace: "ten" does not match /);
    const twoHubs = { ...spoke, spec: { ...(spoke.spec as Json), hub: { ...((spoke.spec as Json).hub as Json), virtualNetworkId: '/subscriptions/x' } } };
    expect(fatalMessage(runFunction(requestFor(twoHubs)))).toBe(
      'invalid input: spec.hub: names its VNet by exactly one of virtualNetworkId and virtualNetworkRef',
    );
  });
});
