import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../../../bench/src/processes';

export interface IdpUser {
  email: string;
  groups: string[];
}

export interface OidcIdp {
  issuer: string;
  port: number;
  setUser(id: string, user: IdpUser): Promise<void>;
  removeUser(id: string): Promise<void>;
  /** The ID tokens its token endpoint answers: real, signed by another key, or expired. */
  setTokenMode(mode: 'normal' | 'forged' | 'expired'): Promise<void>;
  /** Stops it and starts it again on the same port with a new signing key (JWKS rotation). */
  restartWithNewKey(kid: string): Promise<void>;
  stop(): Promise<void>;
}

export interface OidcIdpOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  users: Record<string, IdpUser>;
}

/**
 * A real OpenID Provider (node-oidc-provider, run by oidc-idp.mjs in its own process: the package
 * is ESM-only) on a loopback port, with test controls to change users and the tokens it signs.
 */
export async function startOidcIdp(options: OidcIdpOptions): Promise<OidcIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let users = { ...options.users };
  let child: ChildProcess | undefined;

  const launch = (kid: string) =>
    new Promise<void>((resolve, reject) => {
      const started = spawn(process.execPath, [join(__dirname, 'oidc-idp.mjs')], {
        env: {
          PATH: process.env.PATH ?? '',
          PORT: String(port),
          CLIENT_ID: options.clientId,
          CLIENT_SECRET: options.clientSecret,
          REDIRECT_URI: options.redirectUri,
          USERS: JSON.stringify(users),
          KEY_ID: kid,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`oidc-idp did not start:\n${output}`)),
        20_000,
      );
      const seen = (data: Buffer) => {
        output += data.toString();
        if (output.includes('oidc-idp listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      started.stdout?.on('data', seen);
      started.stderr?.on('data', seen);
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`oidc-idp exited with ${code}:\n${output}`));
      });
    });

  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };

  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${issuer}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status !== 204) throw new Error(`oidc-idp ${method} ${path}: ${response.status}`);
  };

  await launch('k1');
  return {
    issuer,
    port,
    setUser: async (id, user) => {
      users = { ...users, [id]: user };
      await control('PUT', `/test/users/${encodeURIComponent(id)}`, user);
    },
    removeUser: async (id) => {
      const { [id]: _removed, ...rest } = users;
      users = rest;
      await control('DELETE', `/test/users/${encodeURIComponent(id)}`);
    },
    setTokenMode: (mode) => control('PUT', '/test/token-mode', { mode }),
    restartWithNewKey: async (kid) => {
      await stop();
      await launch(kid);
    },
    stop,
  };
}
