import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCa } from '../../scripts/lib/pki.js';

// Certificates laid out as Crossplane mounts them for a function (tls.crt, tls.key, ca.crt in
// one folder), and a client certificate from the same CA.

export interface TestCertificates {
  readonly ca: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
}

/** A CA, a server certificate for localhost and 127.0.0.1, and a client certificate, by openssl. */
export function issueCertificates(dir: string): TestCertificates {
  const ca = new TestCa(dir);
  const server = ca.leaf('server', 'server');
  copyFileSync(server.cert, join(dir, 'tls.crt'));
  copyFileSync(server.key, join(dir, 'tls.key'));
  const client = ca.leaf('client', 'client');
  // The function runs as 65532 and must read its key.
  for (const file of ['tls.key', 'tls.crt', 'ca.crt']) chmodSync(join(dir, file), 0o644);
  return { ca: readFileSync(ca.certFile), clientCert: readFileSync(client.cert), clientKey: readFileSync(client.key) };
}
