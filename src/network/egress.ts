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

/** A proxy or extra CAs are set: outbound calls need the gateway's dispatcher, not the default. */
export function egressConfigured(egress: Egress): boolean {
  return usesProxy(egress) || Boolean(egress.caPem);
}

let installed = false;

/** undici's EnvHttpProxyAgent for HTTP(S)_PROXY / NO_PROXY, trusting `ca` for the proxy and behind it. */
function proxyAgent(
  egress: Egress,
  options: EnvHttpProxyAgent.Options,
  ca: string[] | undefined,
): Dispatcher {
  return new EnvHttpProxyAgent({
    ...options,
    httpProxy: egress.httpProxy,
    httpsProxy: egress.httpsProxy,
    noProxy: egress.noProxy ?? '',
    ...(ca ? { requestTls: { ca }, proxyTls: { ca } } : {}),
  });
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
  const { connections, headersTimeout, bodyTimeout, keepAliveTimeout } = options;
  const dispatcher = proxyAgent(
    egress,
    { connections, headersTimeout, bodyTimeout, keepAliveTimeout, connect },
    ca,
  );
  return { dispatcher, needsOrigin: true };
}

/**
 * A dispatcher of a client's own (its timeouts, a CA of its own such as VAULT_CACERT) that still
 * goes through HTTP(S)_PROXY / NO_PROXY and trusts UPSTREAM_CA_FILE, like the global one.
 */
export function egressAgent(
  egress: Egress,
  options: Agent.Options & { ownCa?: string },
): Dispatcher {
  const { ownCa, ...agentOptions } = options;
  const cas = [...(trustedCas(egress) ?? []), ...(ownCa ? [ownCa] : [])];
  const ca = cas.length > 0 ? cas : undefined;
  const connect = { ...(agentOptions.connect as object), ...(ca ? { ca } : {}) };
  if (!usesProxy(egress)) return new Agent({ ...agentOptions, connect });
  return proxyAgent(egress, { ...agentOptions, connect }, ca);
}

/**
 * Every other outbound call made with fetch or undici (secret stores, alert channels, exports,
 * OIDC discovery) follows the same proxy and CAs: set once, at start-up, only when configured.
 */
export function installGlobalEgress(egress: Egress): void {
  // Start-up reads secret references before the app is built, then main asks again: once is enough
  // (the egress settings come from the environment, which does not change while running).
  if (installed || !egressConfigured(egress)) return;
  installed = true;
  setGlobalDispatcher(egressAgent(egress, {}));
}
