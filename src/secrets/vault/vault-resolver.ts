import { Dispatcher, request } from 'undici';
import type { NetworkConfig } from '../../config/network-config';
import { egressAgent } from '../../network/egress';
import type { VaultReference } from '../secret-reference';
import { ReadSecret, SecretReadError, SecretResolver } from '../secret-resolver';
import { fieldOf } from '../secret-value';
import type { VaultSettings } from './vault-settings';

interface VaultAnswer {
  status: number;
  body: Record<string, unknown> | undefined;
}

/**
 * Reads KV v2 and KV v1 secrets over Vault's HTTP API (undici, one keep-alive pool). Logs in with
 * a token, AppRole or Kubernetes auth; a login token is renewed by logging in again before its
 * lease ends, and once more when Vault answers 403 (the token may have been revoked).
 */
export class VaultResolver implements SecretResolver<VaultReference> {
  private readonly agent: Dispatcher;
  private token?: string;
  private tokenExpiresAt = 0;
  private login?: Promise<string>;

  constructor(
    private readonly settings: VaultSettings,
    egress: NetworkConfig['egress'] = {},
    private readonly now: () => number = Date.now,
  ) {
    // Its own pool for VAULT_CACERT and its timeouts, still through the egress proxy and CAs.
    this.agent = egressAgent(egress, {
      connect: { timeout: 5_000 },
      ownCa: settings.ca,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
  }

  async read(reference: VaultReference): Promise<ReadSecret> {
    const path =
      reference.kvVersion === 2
        ? `/v1/${reference.mount}/data/${reference.path}`
        : `/v1/${reference.mount}/${reference.path}`;
    let answer = await this.call('GET', path, await this.currentToken());
    if (answer.status === 403 && this.settings.auth.method !== 'token') {
      this.token = undefined;
      answer = await this.call('GET', path, await this.currentToken());
    }
    if (answer.status === 404)
      throw new SecretReadError(
        `Vault has no secret at ${reference.mount}/${reference.path} (404)`,
      );
    if (answer.status !== 200) throw vaultError('reading the secret', answer);
    const data = answer.body?.data as Record<string, unknown> | undefined;
    const fields = reference.kvVersion === 2 ? data?.data : data;
    if (reference.kvVersion === 2 && (fields === null || fields === undefined)) {
      const metadata = (data?.metadata ?? {}) as Record<string, unknown>;
      throw new SecretReadError(
        metadata.destroyed
          ? 'its current version is destroyed'
          : metadata.deletion_time
            ? 'its current version is deleted'
            : 'Vault answered without data (is the mount KV v1? use vault+kv1://)',
      );
    }
    const lease = Number(answer.body?.lease_duration);
    return {
      value: fieldOf(fields, reference.field),
      leaseSeconds: Number.isFinite(lease) && lease > 0 ? lease : undefined,
    };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async currentToken(): Promise<string> {
    const { auth } = this.settings;
    if (auth.method === 'token') return auth.token();
    if (this.token && this.now() < this.tokenExpiresAt) return this.token;
    this.login ??= this.logIn().finally(() => (this.login = undefined));
    return this.login;
  }

  private async logIn(): Promise<string> {
    const { auth } = this.settings;
    if (auth.method === 'token') return auth.token();
    const [path, body] =
      auth.method === 'approle'
        ? [`/v1/auth/${auth.mount}/login`, { role_id: auth.roleId, secret_id: auth.secretId() }]
        : [`/v1/auth/${auth.mount}/login`, { role: auth.role, jwt: auth.jwt() }];
    const answer = await this.call('POST', path, undefined, body);
    const login = answer.body?.auth as { client_token?: string; lease_duration?: number } | null;
    if (answer.status !== 200 || !login?.client_token)
      throw vaultError(`logging in (${auth.method} auth at auth/${auth.mount})`, answer);
    const lease = Number(login.lease_duration) || 0;
    this.token = login.client_token;
    // Log in again when 90 % of the lease is gone; a token without a lease is kept.
    this.tokenExpiresAt = lease > 0 ? this.now() + lease * 900 : Infinity;
    return this.token;
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<VaultAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers['x-vault-token'] = token;
    if (this.settings.namespace) headers['x-vault-namespace'] = this.settings.namespace;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await request(`${this.settings.address}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.agent,
      });
      const text = await response.body.text();
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.statusCode, body: parsed };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
      throw new SecretReadError(`cannot reach Vault at ${this.settings.address} (${code})`);
    }
  }
}

function vaultError(doing: string, answer: VaultAnswer): SecretReadError {
  const errors = Array.isArray(answer.body?.errors) ? (answer.body.errors as unknown[]) : [];
  const said = errors
    .map((e) =>
      String(e)
        .replace(/\s+/g, ' ')
        .replace(/^\d+ errors? occurred: \* /, '')
        .trim(),
    )
    .filter(Boolean)
    .join('; ')
    .slice(0, 200);
  const meaning = answer.status === 403 ? 'permission denied' : said || 'no detail';
  return new SecretReadError(
    `Vault answered ${answer.status} ${doing}: ${said && said !== meaning ? `${meaning}: ${said}` : meaning}`,
  );
}
