import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../functions/k8tre/server.js';
import { encodeGrpcMessage } from '../../functions/k8tre/transport/unary-server.js';

describe('grpc-message', () => {
  it('is percent-encoded outside printable ASCII, and for % itself, as gRPC clients decode it', () => {
    const message = 'invalid input: spec.environments[0].name "dév" is 100% wrong\n';
    const encoded = encodeGrpcMessage(message);
    expect(encoded).toBe('invalid input: spec.environments[0].name "d%C3%A9v" is 100%25 wrong%0A');
    expect(decodeURIComponent(encoded)).toBe(message);
  });
});

describe('--address', () => {
  it('takes host:port as the SDK documents it, IPv6 in brackets, and an empty host for every interface', () => {
    expect(parseAddress('0.0.0.0:9443')).toEqual({ host: '0.0.0.0', port: 9443 });
    expect(parseAddress('[::]:9443')).toEqual({ host: '::', port: 9443 });
    expect(parseAddress(':9443')).toEqual({ host: undefined, port: 9443 });
    expect(parseAddress('localhost:0')).toEqual({ host: 'localhost', port: 0 });
  });

  it('refuses anything else, quoting it', () => {
    for (const bad of ['9443', 'host:', 'host:99999', 'host:12ab'])
      expect(() => parseAddress(bad)).toThrow(`--address must be host:port, not ${JSON.stringify(bad)}`);
  });
});
