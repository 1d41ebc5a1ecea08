import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, LocalServer } from './local-server';

interface KvEntry {
  data: Record<string, unknown>;
  version: number;
  deleted?: boolean;
}

/**
 * A local server speaking HashiCorp Vault's documented HTTP API, as far as the gateway uses it:
 * KV v2 (`GET /v1/<mount>/data/<path>`, `data.data` and `data.metadata`) and KV v1
 * (`GET /v1/<mount>/<path>`, with `lease_duration`), token, AppRole and Kubernetes login
 * (`POST /v1/auth/<mount>/login`), `X-Vault-Namespace`, and Vault's `{"errors": [...]}` 403s.
 */
export class FakeVault {
  private readonly server: LocalServer;
  private readonly kv2 = new Map<string, KvEntry>();
  private readonly kv1 = new Map<string, Record<string, unknown>>();
  /** Valid tokens and when each expires (ms since epoch). */
  private readonly tokens = new Map<string, number>();
  /** Paths (`mount/path`) every token is refused. */
  readonly denied = new Set<string>();
  approle?: { roleId: string; secretId: string };
  kubernetes?: { role: string; jwt: string };
  /** Seconds a login token lives. */
  loginTtlSeconds = 3600;
  /** KV v1's lease_duration (Vault's default is 768h; a `ttl` field in the secret sets it). */
  kv1LeaseSeconds = 2_764_800;
  /** When set, every request must carry this X-Vault-Namespace. */
  namespace?: string;
  readonly logins: string[] = [];
  readonly reads: string[] = [];

  constructor(tls = false) {
    this.server = new LocalServer((req, body, res) => this.handle(req, body, res), tls);
  }

  get url(): string {
    return this.server.url;
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** A token Vault accepts (what `vault token create` would print). */
  addToken(token: string, ttlSeconds = 0): void {
    this.tokens.set(token, ttlSeconds > 0 ? Date.now() + ttlSeconds * 1000 : Infinity);
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  putV2(mount: string, path: string, data: Record<string, unknown>): void {
    const key = `${mount}/${path}`;
    const version = (this.kv2.get(key)?.version ?? 0) + 1;
    this.kv2.set(key, { data, version });
  }

  deleteLatestV2(mount: string, path: string): void {
    const entry = this.kv2.get(`${mount}/${path}`);
    if (entry) entry.deleted = true;
  }

  putV1(mount: string, path: string, data: Record<string, unknown>): void {
    this.kv1.set(`${mount}/${path}`, data);
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://vault').pathname;
    if (this.namespace && req.headers['x-vault-namespace'] !== this.namespace)
      return json(res, 403, { errors: ['permission denied'] });
    const login = /^\/v1\/auth\/([\w-]+)\/login$/.exec(path);
    if (login && req.method === 'POST') return this.login(login[1], body, res);
    if (req.method !== 'GET' || !path.startsWith('/v1/'))
      return json(res, 405, { errors: ['unsupported operation'] });
    const token = req.headers['x-vault-token'];
    const expires = typeof token === 'string' ? this.tokens.get(token) : undefined;
    if (expires === undefined || expires < Date.now())
      return json(res, 403, { errors: ['permission denied'] });
    const location = path.slice('/v1/'.length);
    this.reads.push(location);
    const [mount, ...rest] = location.split('/');
    if (rest[0] === 'data' && this.kv2Mount(mount)) {
      const key = `${mount}/${rest.slice(1).join('/')}`;
      if (this.denied.has(key))
        return json(res, 403, { errors: ['1 error occurred:\n\t* permission denied\n\n'] });
      const entry = this.kv2.get(key);
      if (!entry) return json(res, 404, { errors: [] });
      return json(res, 200, {
        request_id: randomUUID(),
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: {
          data: entry.deleted ? null : entry.data,
          metadata: {
            created_time: new Date().toISOString(),
            custom_metadata: null,
            deletion_time: entry.deleted ? new Date().toISOString() : '',
            destroyed: false,
            version: entry.version,
          },
        },
        wrap_info: null,
        warnings: null,
        auth: null,
        mount_type: 'kv',
      });
    }
    const key = `${mount}/${rest.join('/')}`;
    if (this.denied.has(key)) return json(res, 403, { errors: ['permission denied'] });
    const data = this.kv1.get(key);
    if (!data) return json(res, 404, { errors: [] });
    return json(res, 200, {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: this.kv1LeaseSeconds,
      data,
      wrap_info: null,
      warnings: null,
      auth: null,
      mount_type: 'kv',
    });
  }

  private kv2Mount(mount: string): boolean {
    return [...this.kv2.keys()].some((key) => key.startsWith(`${mount}/`));
  }

  private login(mount: string, body: string, res: ServerResponse): void {
    const given = JSON.parse(body || '{}') as Record<string, string>;
    let ok = false;
    if (mount === 'approle' && this.approle) {
      if (given.role_id !== this.approle.roleId || given.secret_id !== this.approle.secretId)
        return json(res, 400, { errors: ['invalid role or secret ID'] });
      ok = true;
    } else if (mount === 'kubernetes' && this.kubernetes) {
      if (given.role !== this.kubernetes.role || given.jwt !== this.kubernetes.jwt)
        return json(res, 403, { errors: ['permission denied'] });
      ok = true;
    }
    if (!ok) return json(res, 400, { errors: [`no handler for route "auth/${mount}/login"`] });
    const token = `hvs.${randomUUID().replace(/-/g, '')}`;
    this.addToken(token, this.loginTtlSeconds);
    this.logins.push(mount);
    json(res, 200, {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      auth: {
        client_token: token,
        accessor: randomUUID(),
        policies: ['default', 'groq-gateway'],
        token_policies: ['default', 'groq-gateway'],
        metadata: { role_name: given.role ?? 'groq-gateway' },
        lease_duration: this.loginTtlSeconds,
        renewable: true,
        entity_id: randomUUID(),
        token_type: 'service',
        orphan: true,
      },
    });
  }
}
