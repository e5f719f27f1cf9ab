import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A throw-away certificate authority, by openssl, for processes the tests start on loopback.
// Go rejects certificates that name their host only in the CN, so every server leaf carries
// a subjectAltName.

export type LeafUse = 'server' | 'client';

const LOOPBACK_SAN = 'subjectAltName=DNS:localhost,IP:127.0.0.1';

export class TestCa {
  readonly certFile: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.certFile = join(dir, 'ca.crt');
    this.openssl(
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
  }

  /**
   * A P-256 leaf `<name>.crt` / `<name>.key` in the CA's folder: a server certificate for
   * localhost and 127.0.0.1, or a client certificate whose CN (and O, when given) name the
   * user and group, as the Kubernetes API server reads them.
   */
  leaf(name: string, use: LeafUse, subject = `/CN=${name}`): { cert: string; key: string } {
    const extension = use === 'server' ? `${LOOPBACK_SAN}\nextendedKeyUsage=serverAuth` : 'extendedKeyUsage=clientAuth';
    writeFileSync(join(this.dir, `${name}.ext`), `${extension}\n`);
    this.openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    this.openssl(
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
    return { cert: join(this.dir, `${name}.crt`), key: join(this.dir, `${name}.key`) };
  }

  /** An RSA key pair `<name>.key` / `<name>.pub`, e.g. for signing service-account tokens. */
  rsaKeyPair(name: string): { privateKey: string; publicKey: string } {
    this.openssl('genrsa', '-out', `${name}.key`, '2048');
    this.openssl('rsa', '-in', `${name}.key`, '-pubout', '-out', `${name}.pub`);
    return { privateKey: join(this.dir, `${name}.key`), publicKey: join(this.dir, `${name}.pub`) };
  }

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }
}
