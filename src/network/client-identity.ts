import { compile } from '@fastify/proxy-addr';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';

type Headers = Record<string, string | string[] | undefined>;

/** Who called, beyond the socket: from a verified client certificate, direct or via the mesh. */
export interface ClientIdentity {
  source: 'mtls' | 'mesh';
  /** The certificate subject, as `CN=...,O=...`. */
  subject?: string;
  /** A URI SAN, e.g. a SPIFFE id (spiffe://cluster.local/ns/shop/sa/checkout). */
  uri?: string;
}

/** `CN=client,O=Example` from a certificate's subject object. */
function subjectText(subject: Record<string, string | string[]> | undefined): string | undefined {
  if (!subject) return undefined;
  const parts = Object.entries(subject).map(
    ([field, value]) => `${field}=${Array.isArray(value) ? value.join('+') : value}`,
  );
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** The verified peer certificate of a TLS connection (mTLS), if the client sent one. */
export function mtlsIdentity(socket: unknown): ClientIdentity | undefined {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (!tls?.getPeerCertificate || !tls.authorized) return undefined;
  const certificate = tls.getPeerCertificate();
  if (!certificate || Object.keys(certificate).length === 0) return undefined;
  const uri = certificate.subjectaltname
    ?.split(/,\s*/)
    .find((name) => name.startsWith('URI:'))
    ?.slice(4);
  return {
    source: 'mtls',
    subject: subjectText(certificate.subject as unknown as Record<string, string>),
    ...(uri ? { uri } : {}),
  };
}

/**
 * Envoy's x-forwarded-client-cert: elements separated by `,`, pairs by `;`, values optionally
 * quoted. The last element is the hop nearest the gateway (each proxy appends), so it is the one
 * the mesh verified for this caller.
 * https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-client-cert
 */
export function xfccIdentity(value: string): ClientIdentity | undefined {
  const elements = splitOutsideQuotes(value, ',');
  const last = elements[elements.length - 1];
  if (!last) return undefined;
  const pairs = new Map<string, string>();
  for (const pair of splitOutsideQuotes(last, ';')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim().toLowerCase();
    let text = pair.slice(at + 1).trim();
    if (text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).replace(/\\"/g, '"');
    pairs.set(key, text);
  }
  const subject = pairs.get('subject');
  const uri = pairs.get('uri');
  if (!subject && !uri) return undefined;
  return { source: 'mesh', ...(subject ? { subject } : {}), ...(uri ? { uri } : {}) };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && quoted && i + 1 < text.length) {
      current += char + text[++i];
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (current) parts.push(current);
  return parts;
}

/**
 * RFC 7239 `Forwarded`: the client, walked back from the hop nearest the gateway as
 * X-Forwarded-For is: each element's `for=` that `trusted` names (the hop number counts from the
 * gateway's peer, 0) is a proxy of ours and the walk goes on to the element before it; the first
 * one it does not name is the client, or the first element when it names them all. An element
 * without a `for=` ends the walk at the hop after it: whoever it came from is not known.
 */
export function forwardedFor(
  value: string,
  trusted: (address: string, hop: number) => boolean = () => false,
): string | undefined {
  const hops = splitOutsideQuotes(value, ',').map(forOf);
  let client: string | undefined;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop === undefined) break;
    client = hop;
    if (!trusted(hop, hops.length - i)) break;
  }
  return client;
}

/** One `Forwarded` element's `for=`: an address without its port, or an obfuscated name. */
function forOf(element: string): string | undefined {
  for (const pair of splitOutsideQuotes(element, ';')) {
    const at = pair.indexOf('=');
    if (at <= 0 || pair.slice(0, at).trim().toLowerCase() !== 'for') continue;
    let text = pair.slice(at + 1).trim();
    if (text.startsWith('"') && text.endsWith('"') && text.length >= 2)
      text = text.slice(1, -1).replace(/\\(.)/g, '$1');
    // IPv6 is bracketed, optionally with a port (`"[::1]:80"`); IPv4 may carry a port.
    const bracketed = /^\[([^\]]+)\]/.exec(text);
    if (bracketed) return bracketed[1];
    if (text.split(':').length > 2) return text; // a bare IPv6 address, as some proxies send
    return text.split(':')[0] || undefined;
  }
  return undefined;
}

export interface ClientResolver {
  /** The caller's address: the socket's, or what a trusted proxy says it is. */
  address(request: FastifyRequest): string;
  identity(request: FastifyRequest): ClientIdentity | undefined;
}

/**
 * Reads who the client is according to TRUSTED_PROXIES and MESH_CLIENT_CERT_HEADER. Fastify's own
 * trustProxy already resolves X-Forwarded-For into `request.ip`; `Forwarded` (which it does not
 * read) is taken when X-Forwarded-For is absent. Headers from untrusted peers are never believed.
 */
export function clientResolver(trustedProxies: string[], meshCertHeader?: string): ClientResolver {
  const trusted: (address: string, hop: number) => boolean =
    trustedProxies.length > 0 ? compile(trustedProxies) : () => false;
  const peerTrusted = (request: FastifyRequest) =>
    trusted(request.raw.socket?.remoteAddress ?? '', 0);
  return {
    address(request) {
      const headers = request.headers as Headers;
      if (headers['x-forwarded-for'] === undefined && typeof headers.forwarded === 'string') {
        if (peerTrusted(request)) return forwardedFor(headers.forwarded, trusted) ?? request.ip;
      }
      return request.ip;
    },
    identity(request) {
      const direct = mtlsIdentity(request.raw.socket);
      if (direct) return direct;
      if (!meshCertHeader || !peerTrusted(request)) return undefined;
      const value = (request.headers as Headers)[meshCertHeader];
      return typeof value === 'string' ? xfccIdentity(value) : undefined;
    },
  };
}

/** The identity in one line for logs: the URI if any, else the subject. */
export function identityText(identity: ClientIdentity): string {
  return identity.uri ?? identity.subject ?? '';
}
