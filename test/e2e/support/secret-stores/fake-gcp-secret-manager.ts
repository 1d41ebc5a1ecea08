import { createVerify, generateKeyPairSync, KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, LocalServer } from './local-server';

/**
 * A local server speaking Google Secret Manager's REST API for `AccessSecretVersion`
 * (`GET /v1/projects/{p}/secrets/{s}/versions/{v}:access`, the payload base64 in
 * `payload.data`, Google's `{"error": {code, message, status}}` errors). Callers authenticate as
 * a service account with a self-signed JWT, as google-auth-library does: the server checks its
 * RS256 signature with the account's public key.
 */
export class FakeGcpSecretManager {
  private readonly server = new LocalServer((req, body, res) => this.handle(req, body, res));
  private readonly versions = new Map<string, string[]>();
  readonly denied = new Set<string>();
  /** Service account email of each authenticated call. */
  readonly callers: string[] = [];
  private readonly publicKey: KeyObject;
  /** The service-account key file Application Default Credentials read (GOOGLE_APPLICATION_CREDENTIALS). */
  readonly credentialsJson: string;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKey = publicKey;
    this.credentialsJson = JSON.stringify({
      type: 'service_account',
      project_id: 'acme',
      private_key_id: 'test-key-1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: 'groq-gateway@acme.iam.gserviceaccount.com',
      client_id: '100000000000000000001',
      token_uri: 'https://oauth2.googleapis.com/token',
    });
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

  /** Adds a version (1, 2, ...) of `projects/<project>/secrets/<secret>`. */
  addVersion(project: string, secret: string, value: string): void {
    const key = `projects/${project}/secrets/${secret}`;
    this.versions.set(key, [...(this.versions.get(key) ?? []), value]);
  }

  private handle(req: IncomingMessage, _body: string, res: ServerResponse): void {
    const google = (code: number, status: string, message: string) =>
      json(res, code, { error: { code, message, status } });
    const caller = this.verify(String(req.headers.authorization ?? ''));
    if (!caller)
      return google(
        401,
        'UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    const match = /^\/v1\/(projects\/[^/]+\/secrets\/[^/]+)\/versions\/([^/:]+):access$/.exec(
      new URL(req.url ?? '/', 'http://x').pathname,
    );
    if (!match) return google(404, 'NOT_FOUND', 'Method not found.');
    this.callers.push(caller);
    const [, secret, version] = match;
    if (this.denied.has(secret))
      return google(
        403,
        'PERMISSION_DENIED',
        `Permission 'secretmanager.versions.access' denied for resource '${secret}/versions/${version}' (or it may not exist).`,
      );
    const versions = this.versions.get(secret) ?? [];
    const number = version === 'latest' ? versions.length : Number(version);
    const value = versions[number - 1];
    if (value === undefined)
      return google(404, 'NOT_FOUND', `Secret Version [${secret}/versions/${version}] not found.`);
    json(res, 200, {
      name: `${secret.replace(/projects\/[^/]+/, 'projects/123456789012')}/versions/${number}`,
      payload: { data: Buffer.from(value, 'utf8').toString('base64') },
    });
  }

  /** The service account of a valid self-signed JWT bearer, or undefined. */
  private verify(authorization: string): string | undefined {
    const token = /^Bearer (.+)$/.exec(authorization)?.[1];
    const [header, payload, signature] = token?.split('.') ?? [];
    if (!header || !payload || !signature) return undefined;
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${payload}`);
    if (!verifier.verify(this.publicKey, Buffer.from(signature, 'base64url'))) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      iss?: string;
      exp?: number;
    };
    if (!claims.exp || claims.exp * 1000 < Date.now()) return undefined;
    return claims.iss;
  }
}
