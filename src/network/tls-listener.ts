import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { createSecureContext } from 'node:tls';
import type { NetworkConfig } from '../config/network-config';

type TlsConfig = NonNullable<NetworkConfig['tls']>;

/** How often the certificate files are looked at (cert-manager swaps them by symlink). */
const WATCH_INTERVAL_MS = 1_000;

function readPair(tls: TlsConfig): SecureContextOptions {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.clientCaFile ? { ca: readFileSync(tls.clientCaFile) } : {}),
  };
}

/**
 * The HTTPS listener's options for Fastify: HTTP/2 with ALPN and HTTP/1.1 still accepted; with
 * TLS_CLIENT_CA_FILE, a client certificate signed by that CA is required (mTLS): a client without
 * one is refused in the handshake, before any request.
 */
export function httpsOptions(tls: TlsConfig): Record<string, unknown> {
  return {
    allowHTTP1: true,
    ...readPair(tls),
    ...(tls.clientCaFile ? { requestCert: true, rejectUnauthorized: true } : {}),
  };
}

interface SecureServer {
  setSecureContext(options: SecureContextOptions): void;
}

/**
 * Reloads the certificate, key and client CA when their files change, without dropping a
 * connection: new handshakes get the new context, open connections keep theirs. A pair that does
 * not load (half-written, key and certificate not matching) is reported and the old one kept.
 * Returns a function that stops watching.
 */
export function reloadCertificatesOnChange(
  server: SecureServer,
  tls: TlsConfig,
  log: { info(message: string): void; warn(message: string): void },
): () => void {
  const files = [tls.certFile, tls.keyFile, ...(tls.clientCaFile ? [tls.clientCaFile] : [])];
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    try {
      const options = readPair(tls);
      // Throws for a key that does not match its certificate, or a file cut in half.
      createSecureContext(options);
      server.setSecureContext(options);
      log.info(`TLS certificate reloaded from ${tls.certFile}`);
    } catch (error) {
      log.warn(
        `TLS certificate in ${tls.certFile} not reloaded (${(error as Error).message}); keeping the one in use`,
      );
    }
  };
  // Files change one after the other: reload once they have settled.
  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, 200);
  };
  for (const file of files) watchFile(file, { interval: WATCH_INTERVAL_MS }, changed);
  return () => {
    if (timer) clearTimeout(timer);
    for (const file of files) unwatchFile(file, changed);
  };
}
