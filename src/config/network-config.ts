/** Private networks and meshes (issue 22): egress, the TLS listener, who the client is, deadlines. */
export interface NetworkConfig {
  egress: {
    /** Forward proxies for upstream calls (credentials may be in the URL); undefined: direct. */
    httpProxy?: string;
    httpsProxy?: string;
    /** Hosts reached directly (NO_PROXY syntax: names, `.suffix`, `*`, host:port, IPs). */
    noProxy?: string;
    /** Extra CAs (PEM) trusted for upstream TLS, besides Node's own: TLS-inspecting proxies, private endpoints. */
    caPem?: string;
    caFile?: string;
  };
  tls?: {
    certFile: string;
    keyFile: string;
    /** Client certificates required (mTLS), verified against this CA. */
    clientCaFile?: string;
  };
  /** A second listener speaking cleartext HTTP/2 only (h2c), for meshes that use it. */
  h2cPort?: number;
  /** CIDRs (or addresses) whose X-Forwarded-For / Forwarded / client-cert headers are believed. */
  trustedProxies: string[];
  /** The header a mesh puts the verified client certificate in (Envoy's XFCC), from trusted proxies only. */
  meshClientCertHeader?: string;
  /** The mesh retries upstream errors itself: the gateway does not retry 5xx, resets or timeouts. */
  meshRetries: boolean;
}
