import { rootCertificates } from 'node:tls';
import { Agent, Dispatcher, EnvHttpProxyAgent, Pool, setGlobalDispatcher } from 'undici';
import type { NetworkConfig } from '../config/network-config';

type Egress = NetworkConfig['egress'];

/** Node's own CAs plus UPSTREAM_CA_FILE's (giving `ca` alone would drop the public ones). */
function trustedCas(egress: Egress): string[] | undefined {
  return egress.caPem ? [...rootCertificates, egress.caPem] : undefined;
}

function usesProxy(egress: Egress): boolean {
  return Boolean(egress.httpProxy ?? egress.httpsProxy);
}

/**
 * The dispatcher for the Groq upstream. Direct (no proxy set): one keep-alive Pool to the origin,
 * as before, with the extra CAs if any. With HTTP(S)_PROXY: undici's EnvHttpProxyAgent, which
 * tunnels through the proxy (CONNECT) unless NO_PROXY names the host, trusting the extra CAs for
 * the proxy and for the upstream behind it (a TLS-inspecting proxy re-signs with its own CA).
 */
export function upstreamDispatcher(
  origin: string,
  options: Pool.Options,
  egress: Egress,
): { dispatcher: Dispatcher; needsOrigin: boolean } {
  const ca = trustedCas(egress);
  const connect = { ...(options.connect as object), ...(ca ? { ca } : {}) };
  if (!usesProxy(egress))
    return { dispatcher: new Pool(origin, { ...options, connect }), needsOrigin: false };
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: egress.httpProxy,
    httpsProxy: egress.httpsProxy,
    noProxy: egress.noProxy ?? '',
    connections: options.connections,
    headersTimeout: options.headersTimeout,
    bodyTimeout: options.bodyTimeout,
    keepAliveTimeout: options.keepAliveTimeout,
    connect,
    ...(ca ? { requestTls: { ca }, proxyTls: { ca } } : {}),
  });
  return { dispatcher, needsOrigin: true };
}

/**
 * Every other outbound call made with fetch or undici (secret stores, alert channels, exports,
 * OIDC discovery) follows the same proxy and CAs: set once, at start-up, only when configured.
 */
export function installGlobalEgress(egress: Egress): void {
  const ca = trustedCas(egress);
  if (!usesProxy(egress) && !ca) return;
  if (!usesProxy(egress)) {
    setGlobalDispatcher(new Agent({ connect: { ca } }));
    return;
  }
  setGlobalDispatcher(
    new EnvHttpProxyAgent({
      httpProxy: egress.httpProxy,
      httpsProxy: egress.httpsProxy,
      noProxy: egress.noProxy ?? '',
      ...(ca ? { connect: { ca }, requestTls: { ca }, proxyTls: { ca } } : {}),
    }),
  );
}
