import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, LocalServer } from './local-server';

export const AZURE_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const AZURE_CLIENT = {
  id: 'b6a1c3d2-0000-4000-8000-000000000001',
  secret: 'azure-client-secret-never-logged',
};

/**
 * A local HTTPS server (the test CA's certificate) speaking Azure Key Vault's REST API for
 * `GET /secrets/{name}/{version}` with its bearer challenge (a 401 naming the authority and the
 * resource the token is for), and, on the same origin, the Microsoft identity platform endpoints
 * MSAL uses for a client-credentials token (OpenID configuration, instance discovery, token).
 */
export class FakeAzureKeyVault {
  private readonly server = new LocalServer((req, body, res) => this.handle(req, body, res), true);
  private readonly versions = new Map<string, Array<{ id: string; value: string }>>();
  private readonly tokens = new Set<string>();
  readonly denied = new Set<string>();
  /** Scopes tokens were asked for, and requests that came without a token (the challenge). */
  readonly tokenScopes: string[] = [];
  readonly challenges: string[] = [];

  get url(): string {
    return this.server.url;
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** A new version of a secret; returns its version id. */
  setSecret(name: string, value: string): string {
    const id = randomUUID().replace(/-/g, '');
    this.versions.set(name, [...(this.versions.get(name) ?? []), { id, value }]);
    return id;
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    if (path === `/${AZURE_TENANT}/v2.0/.well-known/openid-configuration`)
      return json(res, 200, {
        token_endpoint: `${this.url}/${AZURE_TENANT}/oauth2/v2.0/token`,
        authorization_endpoint: `${this.url}/${AZURE_TENANT}/oauth2/v2.0/authorize`,
        issuer: `${this.url}/${AZURE_TENANT}/v2.0`,
        jwks_uri: `${this.url}/${AZURE_TENANT}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'token'],
        end_session_endpoint: `${this.url}/${AZURE_TENANT}/oauth2/v2.0/logout`,
      });
    if (path.endsWith('/discovery/instance'))
      return json(res, 200, {
        tenant_discovery_endpoint: `${this.url}/${AZURE_TENANT}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [],
      });
    if (path === `/${AZURE_TENANT}/oauth2/v2.0/token` && req.method === 'POST')
      return this.token(new URLSearchParams(body), res);
    const secret = /^\/secrets\/([\w-]+)\/?([\w]*)$/.exec(path);
    if (secret && req.method === 'GET') return this.secret(req, secret[1], secret[2], res);
    json(res, 404, { error: { code: 'NotFound', message: `no route ${path}` } });
  }

  private token(form: URLSearchParams, res: ServerResponse): void {
    if (
      form.get('grant_type') !== 'client_credentials' ||
      form.get('client_id') !== AZURE_CLIENT.id ||
      form.get('client_secret') !== AZURE_CLIENT.secret
    )
      return json(res, 401, {
        error: 'invalid_client',
        error_description: `AADSTS7000215: Invalid client secret provided. Trace ID: ${randomUUID()}`,
        error_codes: [7000215],
      });
    this.tokenScopes.push(form.get('scope') ?? '');
    const token = `eyJ0eXAiOiJKV1QifQ.${randomUUID()}.sig`;
    this.tokens.add(token);
    json(res, 200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: token,
    });
  }

  private secret(req: IncomingMessage, name: string, version: string, res: ServerResponse): void {
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!token || !this.tokens.has(token)) {
      this.challenges.push(name);
      return json(
        res,
        401,
        {
          error: {
            code: 'Unauthorized',
            message: 'AKV10000: Request is missing a Bearer or PoP token.',
          },
        },
        {
          'www-authenticate': `Bearer authorization="${this.url}/${AZURE_TENANT}", resource="${this.url}"`,
        },
      );
    }
    if (this.denied.has(name))
      return json(res, 403, {
        error: {
          code: 'Forbidden',
          message: `The user, group or application 'appid=${AZURE_CLIENT.id}' does not have secrets get permission on key vault 'test-vault'.`,
          innererror: { code: 'AccessDenied' },
        },
      });
    const versions = this.versions.get(name) ?? [];
    const found = version ? versions.find((v) => v.id === version) : versions.at(-1);
    if (!found)
      return json(res, 404, {
        error: {
          code: 'SecretNotFound',
          message: `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault.`,
        },
      });
    const now = Math.floor(Date.now() / 1000);
    json(res, 200, {
      value: found.value,
      id: `${this.url}/secrets/${name}/${found.id}`,
      attributes: {
        enabled: true,
        created: now,
        updated: now,
        recoveryLevel: 'Recoverable+Purgeable',
      },
      tags: {},
    });
  }
}
