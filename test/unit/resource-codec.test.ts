import { RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeResource, encodeResourceBytes, generatedResourceCodec, installFastResourceCodec } from '../../functions/k8tre/transport/resource-codec.js';
import { networkWithEnvironments } from '../../scripts/bench/scenarios.js';
import { reconcileInProcess } from '../../scripts/lib/in-process.js';

// The fast Resource codec against the SDK's generated one: the same bytes for any resource,
// the same values for any bytes the generated encoder writes, and no crash on damaged bytes.

// `__proto__` keys aside: the generated codec turns them into prototypes (see the last test).
const key = fc.string().filter((k) => k !== '__proto__');
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 6 },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true }),
    fc.string(),
    fc.array(tie('value'), { maxLength: 5 }),
    tie('object'),
  ),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
})).value;
const jsonObject = fc.dictionary(key, jsonValue, { maxKeys: 8 });
const resourceMessage = fc.record({
  resource: fc.option(jsonObject, { nil: undefined }),
  connectionDetails: fc.dictionary(
    key,
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
    { maxKeys: 4 },
  ),
  ready: fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: -3, max: 300 })),
});
type Message = Parameters<typeof encodeResourceBytes>[0];

const generatedBytes = (message: Message) => Buffer.from(generatedResourceCodec.encode(message as never, new BinaryWriter()).finish());

describe('the fast Resource codec', () => {
  it('writes exactly the bytes the generated codec writes', () => {
    fc.assert(
      fc.property(resourceMessage, (message) => {
        expect(encodeResourceBytes(message as Message).equals(generatedBytes(message as Message))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('writes the same bytes at every length boundary: strings, lengths and nested fields of 127/128 and 16383/16384 bytes', () => {
    const texts = [0, 1, 63, 64, 65, 126, 127, 128, 129, 16_383, 16_384, 70_000].flatMap((n) => ['a'.repeat(n), 'é'.repeat(n), `${'a'.repeat(n)}😀`]);
    const lists = [10, 11, 12, 1_500, 1_600].map((n) => Array.from({ length: n }, (_, i) => i % 2 === 0 || `x${i}`));
    const message = {
      resource: { texts, lists, nested: { deeper: { texts } } },
      connectionDetails: { [`key-${'é'.repeat(70)}`]: Buffer.alloc(200, 7) },
      ready: -1,
    };
    expect(encodeResourceBytes(message).equals(generatedBytes(message))).toBe(true);
  });

  it('writes an array where a Struct belongs as the generated codec does, a field per index, not a list', () => {
    // The encoder's one recursive function writes a Struct's content and a Value's alike; only the
    // outermost object is bare, and an array there must still come out as fields.
    const message = { resource: ['x', { y: [1, 'z'] }] as unknown as Record<string, unknown>, connectionDetails: {}, ready: 0 };
    expect(encodeResourceBytes(message).equals(generatedBytes(message))).toBe(true);
  });

  it('reads back exactly what the generated codec reads', () => {
    fc.assert(
      fc.property(resourceMessage, (message) => {
        const bytes = generatedBytes(message);
        expect(decodeResource(bytes)).toEqual(generatedResourceCodec.decode(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('throws an Error, never anything worse, on damaged bytes', () => {
    fc.assert(
      fc.property(resourceMessage, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (message, damage) => {
        const bytes = Buffer.from(generatedBytes(message as Message));
        if (bytes.length === 0) return;
        for (const [at, byte] of damage) bytes[at % bytes.length] = byte;
        let fastError: unknown;
        try {
          decodeResource(bytes);
        } catch (error) {
          fastError = error;
        }
        if (fastError !== undefined) expect(fastError).toBeInstanceOf(Error);
        // Where the bytes are damaged inside a nested field, the two may read the rest
        // differently: the generated codec carries on from wherever the damage left it.
      }),
      { numRuns: 500 },
    );
  });

  it('refuses nesting past the generated codec’s recursion limit', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i++) deep = { nested: deep };
    const bytes = generatedBytes({ resource: { deep }, connectionDetails: {}, ready: 0 });
    expect(() => generatedResourceCodec.decode(bytes)).toThrow('recursion limit');
    expect(() => decodeResource(bytes)).toThrow('recursion limit');
  });

  it('keeps a `__proto__` key as an own field, where the generated codec would make it the prototype', () => {
    const resource = JSON.parse('{"__proto__": {"polluted": true}, "kind": "X"}') as Record<string, unknown>;
    const decoded = decodeResource(encodeResourceBytes({ resource, connectionDetails: {}, ready: 0 })).resource!;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: true });
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();

    const details = JSON.parse('{"__proto__": null}') as Record<string, Buffer>;
    details.__proto__ = Buffer.from('x');
    const decodedDetails = decodeResource(encodeResourceBytes({ resource: undefined, connectionDetails: details, ready: 0 })).connectionDetails;
    expect(Object.getPrototypeOf(decodedDetails)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decodedDetails, '__proto__')?.value).toEqual(Buffer.from('x'));
  });

  it('reads every string right when short ones share a slot in its table of strings seen before', () => {
    // More distinct short strings than the table has slots, as keys and as values, read twice
    // (the second time from the table): each must come back as written, never a neighbour.
    const resource = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i.toString(36)}`, i % 3 === 0 ? `v${i}` : `é${i}`]));
    const bytes = generatedBytes({ resource, connectionDetails: {}, ready: 0 });
    expect(decodeResource(bytes).resource).toEqual(resource);
    expect(decodeResource(bytes).resource).toEqual(resource);
  });

  it('round-trips a whole 50-environment request and its response once installed, as the generated codec does', () => {
    const { requests } = reconcileInProcess(networkWithEnvironments(50));
    const request = requests.at(-1)!;
    const before = Buffer.from(RunFunctionRequest.encode(request).finish());
    const decodedBefore = RunFunctionRequest.decode(before);
    installFastResourceCodec();
    const after = Buffer.from(RunFunctionRequest.encode(request).finish());
    expect(after.equals(before)).toBe(true);
    expect(RunFunctionRequest.decode(after)).toEqual(decodedBefore);
    const response = RunFunctionResponse.fromPartial({ desired: { resources: request.observed!.resources } });
    expect(RunFunctionResponse.decode(RunFunctionResponse.encode(response).finish()).desired?.resources).toEqual(decodedBefore.observed?.resources);
    expect(new BinaryReader(after).len).toBe(after.length);
  });
});
