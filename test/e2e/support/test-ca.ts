import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and key on disk, and as PEM. */
export interface Issued {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/**
 * A throwaway certificate authority for the TLS tests, made with the openssl command line (in
 * every Debian image): a CA, and certificates it signs for servers (SANs for loopback) and clients
 * (a subject and a SPIFFE-style URI SAN).
 */
export class TestCa {
  readonly dir = mkdtempSync(join(tmpdir(), 'gw-test-ca-'));
  readonly certFile = join(this.dir, 'ca.pem');
  private readonly keyFile = join(this.dir, 'ca.key');
  private serial = 1;

  constructor(name = 'Gateway Test CA') {
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      this.keyFile,
      '-out',
      this.certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
  }

  get cert(): string {
    return readFileSync(this.certFile, 'utf8');
  }

  /** A server certificate for 127.0.0.1, ::1 and localhost (or `names`). */
  server(name = 'server', names = ['IP:127.0.0.1', 'IP:::1', 'DNS:localhost']): Issued {
    return this.issue(
      name,
      `/CN=${name}`,
      `subjectAltName=${names.join(',')}\nextendedKeyUsage=serverAuth`,
    );
  }

  /** A client certificate with this common name and, if given, a URI SAN. */
  client(commonName: string, uri?: string): Issued {
    const san = uri ? `subjectAltName=URI:${uri}\n` : '';
    return this.issue(
      commonName,
      `/CN=${commonName}/O=Gateway Tests`,
      `${san}extendedKeyUsage=clientAuth`,
    );
  }

  private issue(name: string, subject: string, extensions: string): Issued {
    const base = join(this.dir, `${name}-${this.serial}`);
    const keyFile = `${base}.key`;
    const csr = `${base}.csr`;
    const certFile = `${base}.pem`;
    const ext = `${base}.ext`;
    writeFileSync(ext, `${extensions}\n`);
    openssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      csr,
      '-subj',
      subject,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.certFile,
      '-CAkey',
      this.keyFile,
      '-set_serial',
      String(this.serial++),
      '-days',
      '2',
      '-out',
      certFile,
      '-extfile',
      ext,
    ]);
    return {
      certFile,
      keyFile,
      cert: readFileSync(certFile, 'utf8'),
      key: readFileSync(keyFile, 'utf8'),
    };
  }
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
