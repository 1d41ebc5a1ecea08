import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../common/errors/gateway-error';
import { Ungoverned } from '../common/http/ungoverned.decorator';
import type { AuthProvider } from './auth-config';
import { AUTH_RUNTIME, type AuthRuntime } from './auth-runtime';
import { IdpUnreachable, LoginFailure } from './login-failure';
import type { PendingOidcLogin } from './oidc/oidc-sign-in';
import type { SamlForm } from './saml/saml-form-body';
import type { PendingSamlLogin } from './saml/saml-sign-in';
import { safeReturnTo } from './return-to';
import type { SignedInUser } from './sessions/session';
import {
  clearedLoginCookie,
  clearedSessionCookies,
  loginCookie,
  loginCookieName,
  randomToken,
  readCookie,
  sessionCookies,
  sha256,
} from './sessions/session-cookies';
import { SessionService } from './sessions/session-service';
import { idleEnd } from './sessions/session';

/** A login under way, kept in the session store for ten minutes under its state. */
interface PendingLogin {
  provider: AuthProvider;
  returnTo: string;
  oidc?: PendingOidcLogin;
  saml?: PendingSamlLogin;
}

const LOGIN_TTL_SECONDS = 600;
const NOT_SIGNED_IN =
  'Not signed in: sign in at GET /auth/login (the session cookie is missing, expired or revoked).';

function assertionKey(id: string): string {
  return `saml-assertion:${sha256(id)}`;
}

function samlNotConfigured(route: string): GatewayError {
  return new GatewayError({
    status: 404,
    code: 'unknown_url',
    message: `Unknown request URL: ${route}. SAML sign-in is not configured (auth.saml in GATEWAY_CONFIG).`,
  });
}

function replayed(): LoginFailure {
  return new LoginFailure('saml_replayed', 'this assertion was already used to sign in');
}

/** Sign-in routes: registered only when `auth` is configured (404 otherwise). */
@Controller('auth')
@Ungoverned()
export class AuthController {
  constructor(
    @Inject(AUTH_RUNTIME) private readonly runtime: AuthRuntime,
    private readonly sessions: SessionService,
  ) {}

  @Get('login')
  async login(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('provider') provider: unknown,
    @Query('returnTo') returnTo: unknown,
  ): Promise<void> {
    const chosen = this.provider(provider);
    const pending: PendingLogin = { provider: chosen, returnTo: safeReturnTo(returnTo) };
    let url: string;
    let state: string;
    try {
      if (chosen === 'saml') {
        // RelayState carries the state; the browser's login cookie and the store must agree.
        state = randomToken(24);
        const started = await this.runtime.saml!.start(state);
        pending.saml = started.pending;
        url = started.url;
      } else {
        const started = await this.runtime.oidc!.start();
        pending.oidc = started.pending;
        url = started.url;
        state = started.pending.state;
      }
    } catch (error) {
      throw this.unavailable(error);
    }
    await this.remember(state, pending);
    void reply
      .code(302)
      .header('location', url)
      .header('cache-control', 'no-store')
      .header(
        'set-cookie',
        loginCookie(this.sessions.cookies, state, LOGIN_TTL_SECONDS, chosen === 'saml'),
      )
      .send();
  }

  /** The SAML ACS (HTTP-POST binding): the IdP's signed response, posted by the browser. */
  @Post('callback/saml')
  async samlCallback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const saml = this.runtime.saml;
    if (!saml) throw samlNotConfigured('POST /auth/callback/saml');
    const form = (request.body ?? {}) as SamlForm;
    await this.signIn(request, reply, 'saml', async () => {
      if (typeof form.SAMLResponse !== 'string' || form.SAMLResponse === '')
        throw new LoginFailure(
          'saml_invalid',
          'no SAMLResponse field (the ACS takes the HTTP-POST binding: an application/x-www-form-urlencoded form)',
        );
      // A response already used is refused before anything else, even with a fresh login.
      const peeked = saml.peek(form.SAMLResponse);
      if (peeked.assertionId && (await this.runtime.store.peek(assertionKey(peeked.assertionId))))
        throw replayed();
      const pending = await this.pending(request, form.RelayState, 'saml');
      const login = await saml.finish(form.SAMLResponse, pending.saml!);
      // Remembered until it expires, atomically (SET NX across replicas): used once, ever.
      const first = await this.runtime.store.putOnce(
        assertionKey(login.assertionId),
        '1',
        Math.max(1_000, login.rememberUntil - Date.now()),
      );
      if (!first) throw replayed();
      return { user: login.user, returnTo: pending.returnTo };
    });
  }

  /** SP metadata for the IdP's administrator (entity id, ACS URL, signed assertions wanted). */
  @Get('saml/metadata')
  samlMetadata(@Res() reply: FastifyReply): void {
    const saml = this.runtime.saml;
    if (!saml) throw samlNotConfigured('GET /auth/saml/metadata');
    void reply
      .code(200)
      .header('content-type', 'application/samlmetadata+xml; charset=utf-8')
      .send(saml.metadata());
  }

  @Get('callback/oidc')
  async oidcCallback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const query = request.query as Record<string, unknown>;
    await this.signIn(request, reply, 'oidc', async () => {
      const pending = await this.pending(request, query.state, 'oidc');
      if (typeof query.error === 'string')
        throw new LoginFailure(
          'idp_refused',
          `the IdP answered ${query.error}${typeof query.error_description === 'string' ? `: ${query.error_description.slice(0, 200)}` : ''}`,
        );
      const callbackUrl = new URL(`${this.runtime.config.publicUrl}${request.url}`);
      const user = await this.runtime.oidc!.finish(callbackUrl, pending.oidc!);
      return { user, returnTo: pending.returnTo };
    });
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // CSRF-checked like every state-changing call made with the cookie.
    const session = await this.sessions.sessionOf(request);
    if (session) await this.sessions.end(session, 'logout', request);
    void reply
      .code(204)
      .header('cache-control', 'no-store')
      .header('set-cookie', clearedSessionCookies(this.sessions.cookies))
      .send();
  }

  @Get('me')
  async me(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const session = await this.sessions.sessionOf(request);
    if (!session)
      throw new GatewayError({ status: 401, code: 'not_signed_in', message: NOT_SIGNED_IN });
    void reply.header('cache-control', 'no-store');
    return {
      subject: session.subject,
      email: session.email ?? null,
      name: session.name ?? null,
      role: session.role,
      teams: session.teams,
      provider: session.provider,
      sessionId: session.id,
      expiresAt: new Date(session.expiresAt).toISOString(),
      idleExpiresAt: new Date(idleEnd(session, this.sessions.idleMilliseconds)).toISOString(),
      csrfToken: session.csrfToken,
    };
  }

  /** Finishes a login: a session and its cookies, or the refusal audited with its reason. */
  private async signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    provider: AuthProvider,
    verify: () => Promise<{ user: SignedInUser; returnTo: string }>,
  ): Promise<void> {
    let subject: string | null = null;
    try {
      const { user, returnTo } = await verify();
      subject = user.subject;
      const { session, cookie } = await this.sessions.create(user, request);
      this.sessions.audit(request, {
        action: 'auth.login',
        actor: session.subject,
        role: session.role,
        provider,
        session: session.id,
        outcome: 'ok',
      });
      void reply
        .code(302)
        .header('location', returnTo)
        .header('cache-control', 'no-store')
        .header('set-cookie', [
          ...sessionCookies(
            this.sessions.cookies,
            cookie,
            session.csrfToken,
            this.runtime.config.sessions.ttlSeconds,
          ),
          clearedLoginCookie(this.sessions.cookies),
        ])
        .send();
    } catch (error) {
      if (error instanceof LoginFailure) {
        this.sessions.audit(request, {
          action: 'auth.login',
          actor: subject,
          provider,
          outcome: 'denied',
          status: 401,
          code: 'login_failed',
          reason: error.reason,
          explanation: error.detail,
        });
        throw new GatewayError({
          status: 401,
          code: 'login_failed',
          message: `Sign-in failed (${error.reason}): ${error.detail}. Start again at GET /auth/login.`,
        });
      }
      throw this.unavailable(error);
    }
  }

  /** The login the callback belongs to: its state must be this browser's and still pending. */
  private async pending(
    request: FastifyRequest,
    state: unknown,
    provider: AuthProvider,
  ): Promise<PendingLogin> {
    if (typeof state !== 'string' || state === '' || state.length > 200)
      throw new LoginFailure('state_missing', 'the callback carries no state');
    const cookieState = readCookie(
      typeof request.headers.cookie === 'string' ? request.headers.cookie : undefined,
      loginCookieName(this.sessions.cookies),
    );
    if (cookieState !== state)
      throw new LoginFailure('state_mismatch', 'this browser did not start this login');
    const text = await this.runtime.store.take(`login:${state}`);
    if (!text)
      throw new LoginFailure(
        'login_expired',
        `no login is under way with this state (they last ${LOGIN_TTL_SECONDS / 60} minutes and are used once)`,
      );
    const pending = JSON.parse(text) as PendingLogin;
    if (pending.provider !== provider)
      throw new LoginFailure('state_mismatch', `this login was started for ${pending.provider}`);
    return pending;
  }

  private async remember(state: string, pending: PendingLogin): Promise<void> {
    try {
      await this.runtime.store.putOnce(
        `login:${state}`,
        JSON.stringify(pending),
        LOGIN_TTL_SECONDS * 1000,
      );
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private provider(raw: unknown): AuthProvider {
    const configured = (['oidc', 'saml'] as const).filter((p) => this.runtime.config[p]);
    if (raw === undefined || raw === '') {
      if (configured.length === 1) return configured[0];
      throw new GatewayError({
        status: 400,
        code: 'unknown_provider',
        param: 'provider',
        message: `Choose how to sign in: ?provider=${configured.join(' or ?provider=')}.`,
      });
    }
    if (raw === 'oidc' || raw === 'saml') {
      if (this.runtime.config[raw] && (raw === 'oidc' ? this.runtime.oidc : true)) return raw;
    }
    throw new GatewayError({
      status: 400,
      code: 'unknown_provider',
      param: 'provider',
      message: `provider must be ${configured.join(' or ')} (configured under auth:), got '${String(raw).slice(0, 40)}'.`,
    });
  }

  private unavailable(error: unknown): GatewayError {
    if (error instanceof GatewayError) return error;
    const detail =
      error instanceof IdpUnreachable ? error.message : 'the session store does not answer';
    return new GatewayError({
      status: 503,
      code: 'auth_unavailable',
      message: `Sign-in is unavailable right now: ${detail}. Try again shortly.`,
    });
  }
}
