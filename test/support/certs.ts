import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Certificates laid out as Crossplane mounts them for a function (tls.crt, tls.key, ca.crt in
// one folder), and a client certificate from the same CA, issued by openssl for the tests.

export interface TestCertificates {
  readonly ca: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
}

/** A CA, a server certificate for localhost and 127.0.0.1, and a client certificate, by openssl. */
export function issueCertificates(dir: string): TestCertificates {
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=k8tre-test-ca',
  );
  for (const [name, extension] of [
    ['tls', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    execFileSync('sh', ['-c', `printf '%s\\n' "$EXT" > ${name}.ext`], { cwd: dir, env: { ...process.env, EXT: extension } });
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  }
  // The function runs as 65532 and must read its key.
  for (const file of ['tls.key', 'tls.crt', 'ca.crt']) chmodSync(join(dir, file), 0o644);
  const read = (file: string) => readFileSync(join(dir, file));
  return { ca: read('ca.crt'), clientCert: read('client.crt'), clientKey: read('client.key') };
}
