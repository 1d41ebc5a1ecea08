import type * as OpenIdClient from 'openid-client';
import type { OidcConfig } from '../auth-config';
import { claimValues } from '../role-mapping';
import type { SignedInUser } from '../sessions/session';
import { LoginFailure, IdpUnreachable } from '../login-failure';

/** What the gateway keeps between sending the browser to the IdP and its return (server side). */
export interface PendingOidcLogin {
  codeVerifier: string;
  state: string;
  nonce: string;
}

/** What a recheck (refresh) at the IdP answered about a user still allowed in. */
export interface RecheckedUser {
  roleValues: string[];
  email?: string;
  /** The rotated refresh token, when the IdP rotates them. */
  refreshToken?: string;
}

const DISCOVERY_RETRY_MS = 10_000;

let loaded: typeof OpenIdClient | undefined;

/**
 * openid-client 6 is an ES module: Node 20.19+ `require`s it natively, but jest's CommonJS
 * runtime cannot parse it, and every spec that builds the app would fail. It is loaded on first
 * use, i.e. only when OIDC is configured and someone signs in.
 */
function openIdClient(): typeof OpenIdClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('openid-client') as typeof OpenIdClient;
  return loaded;
}

/**
 * OpenID Connect sign-in with openid-client: discovery (cached; tried again after a failure),
 * authorization code with PKCE (S256), state and nonce; the ID token's issuer, audience, expiry,
 * nonce and signature are checked, the signature against the IdP's JWKS (fetched again when a
 * token names a key it has not seen: key rotation). Refresh tokens re-check the user later.
 */
export class OidcSignIn {
  private configuration?: Promise<OpenIdClient.Configuration>;
  private failedAt = 0;

  constructor(
    private readonly config: OidcConfig,
    readonly redirectUri: string,
  ) {}

  async start(): Promise<{ url: string; pending: PendingOidcLogin }> {
    const configuration = await this.discovered();
    const pending: PendingOidcLogin = {
      codeVerifier: openIdClient().randomPKCECodeVerifier(),
      state: openIdClient().randomState(),
      nonce: openIdClient().randomNonce(),
    };
    const url = openIdClient().buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.config.scopes.join(' '),
      code_challenge: await openIdClient().calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      // Ask for a refresh token (the re-check) where the IdP follows OIDC's offline_access rule.
      ...(this.config.scopes.includes('offline_access') ? { prompt: 'consent' } : {}),
    });
    return { url: url.href, pending };
  }

  /** Redeems the code of the callback URL; a LoginFailure says why the login is refused. */
  async finish(callbackUrl: URL, pending: PendingOidcLogin): Promise<SignedInUser> {
    const configuration = await this.discovered();
    let tokens: Awaited<ReturnType<typeof OpenIdClient.authorizationCodeGrant>>;
    try {
      tokens = await openIdClient().authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw loginFailure(error);
    }
    const claims = tokens.claims();
    if (!claims) throw new LoginFailure('id_token_invalid', 'the IdP returned no ID token');
    const all = await this.withUserInfo(configuration, claims, tokens.access_token);
    return {
      provider: 'oidc',
      subject: claims.sub,
      email: typeof all.email === 'string' ? all.email : undefined,
      name: typeof all.name === 'string' ? all.name : undefined,
      roleValues: claimValues(all[this.config.rolesClaim]),
      refreshToken: tokens.refresh_token,
    };
  }

  /**
   * Uses the refresh token: the user's current claims, or a LoginFailure when the IdP refuses
   * (user removed or disabled, token revoked), or IdpUnreachable when it cannot be asked.
   */
  async recheck(refreshToken: string, subject: string): Promise<RecheckedUser> {
    const configuration = await this.discovered();
    let tokens: Awaited<ReturnType<typeof OpenIdClient.refreshTokenGrant>>;
    try {
      tokens = await openIdClient().refreshTokenGrant(configuration, refreshToken);
    } catch (error) {
      throw loginFailure(error);
    }
    const claims = tokens.claims();
    if (claims && claims.sub !== subject)
      throw new LoginFailure('subject_changed', 'the refreshed ID token names another subject');
    const all = await this.withUserInfo(
      configuration,
      claims ?? { sub: subject },
      tokens.access_token,
    );
    return {
      roleValues: claimValues(all[this.config.rolesClaim]),
      email: typeof all.email === 'string' ? all.email : undefined,
      refreshToken: tokens.refresh_token ?? refreshToken,
    };
  }

  /**
   * The ID token's claims, completed from the userinfo endpoint when the roles claim is not in
   * the ID token (many IdPs put groups and email only there). The ID token wins where both say.
   */
  private async withUserInfo(
    configuration: OpenIdClient.Configuration,
    claims: { sub: string; [claim: string]: unknown },
    accessToken: string,
  ): Promise<Record<string, unknown>> {
    if (claims[this.config.rolesClaim] !== undefined) return claims;
    try {
      const info = await openIdClient().fetchUserInfo(configuration, accessToken, claims.sub);
      return { ...info, ...claims };
    } catch (error) {
      throw loginFailure(error);
    }
  }

  private discovered(): Promise<OpenIdClient.Configuration> {
    if (this.configuration && !(this.failedAt && Date.now() - this.failedAt >= DISCOVERY_RETRY_MS))
      return this.configuration;
    this.failedAt = 0;
    const issuer = new URL(this.config.issuer);
    const execute: ((c: OpenIdClient.Configuration) => void)[] = [
      openIdClient().enableNonRepudiationChecks,
    ];
    // http:// is accepted only for a loopback issuer (load-auth-config.ts).
    if (issuer.protocol === 'http:') execute.push(openIdClient().allowInsecureRequests);
    const discovery = openIdClient()
      .discovery(issuer, this.config.clientId, this.config.clientSecret, undefined, {
        execute,
        timeout: 10,
      })
      .catch((error: unknown) => {
        this.failedAt = Date.now();
        throw new IdpUnreachable(
          `OIDC discovery at ${this.config.issuer} failed: ${describe(error)}`,
        );
      });
    this.configuration = discovery;
    return discovery;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (error as { code?: unknown }).code;
  const detail = cause instanceof Error ? ` (${cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${detail}`.slice(0, 300);
}

/** openid-client's errors as the reason a login or recheck is refused. */
function loginFailure(error: unknown): LoginFailure | IdpUnreachable {
  if (error instanceof LoginFailure || error instanceof IdpUnreachable) return error;
  if (error instanceof openIdClient().ResponseBodyError)
    return new LoginFailure('idp_refused', `the IdP answered ${error.error}`);
  if (error instanceof openIdClient().AuthorizationResponseError)
    return new LoginFailure('idp_refused', `the IdP answered ${error.error}`);
  const code = (error as { code?: unknown }).code;
  if (error instanceof TypeError || code === 'OAUTH_TIMEOUT' || code === 'ECONNREFUSED')
    return new IdpUnreachable(`the IdP could not be reached: ${describe(error)}`);
  const detail = describe(error);
  if (/signature|KEY_SELECTION|JWKS?\b/i.test(detail))
    return new LoginFailure('id_token_signature', detail);
  if (typeof code === 'string' && /STATE/.test(code))
    return new LoginFailure('state_mismatch', detail);
  return new LoginFailure('id_token_invalid', detail);
}
