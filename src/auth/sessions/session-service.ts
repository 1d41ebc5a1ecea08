import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../common/errors/gateway-error';
import { pathOf } from '../../common/http/path-of';
import type { AuditEntry } from '../../governance/audit-log';
import { GovernanceService } from '../../governance/governance.service';
import type { AuthConfig } from '../auth-config';
import { AUTH_RUNTIME, type AuthRuntime } from '../auth-runtime';
import { IdpUnreachable, LoginFailure } from '../login-failure';
import type { Principal, SessionPrincipals } from '../principal';
import { mapRole } from '../role-mapping';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { sessionExpiry, idleEnd, type Session, type SignedInUser } from './session';
import {
  csrfFailure,
  parseSessionCookie,
  randomToken,
  sameSecret,
  sha256,
  type CookieSettings,
  type SessionCookieValue,
} from './session-cookies';
import type { SessionStore } from './session-store';

/**
 * A session's lastSeenAt is written again at most this often, and at most a tenth of the idle
 * timeout (so a session used within its idle window never ends idle: a short idleSeconds works).
 */
const TOUCH_EVERY_MS = 30_000;
/** After an IdP that cannot be reached, the next re-check try. */
const RECHECK_RETRY_MS = 60_000;
const RECHECK_LOCK_MS = 30_000;
/** Sessions that ended unused are looked for this often at most (half the idle timeout if less). */
const SWEEP_EVERY_MS = 60_000;

/** Who made the request, for the audit line. */
type RequestLike = Pick<FastifyRequest, 'id' | 'method' | 'url' | 'headers' | 'ip'>;

/**
 * Sessions of signed-in users: made at login, found from the cookie on each admin call
 * (`principalOf`, the SESSION_PRINCIPALS seam), checked for idle and absolute expiry and for
 * CSRF, re-checked at the IdP every auth.sessions.recheckSeconds, ended by logout or an admin.
 */
@Injectable()
export class SessionService implements SessionPrincipals, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Auth');
  private readonly config: AuthConfig;
  private readonly store: SessionStore;
  readonly cookies: CookieSettings;
  private readonly publicOrigin: string;
  private readonly idleMs: number;
  private readonly touchEveryMs: number;
  private readonly sweepEveryMs: number;
  private sweepTimer?: NodeJS.Timeout;
  private readonly rechecks = new Map<string, Promise<Session | undefined>>();

  constructor(
    @Inject(AUTH_RUNTIME) private readonly runtime: AuthRuntime,
    private readonly governance: GovernanceService,
    private readonly tokens: AccessTokensService,
  ) {
    this.config = runtime.config;
    this.store = runtime.store;
    this.cookies = { name: this.config.sessions.cookieName, secure: this.config.secureCookies };
    this.publicOrigin = new URL(this.config.publicUrl).origin;
    this.idleMs = this.config.sessions.idleSeconds * 1000;
    this.touchEveryMs = Math.min(TOUCH_EVERY_MS, this.idleMs / 10);
    this.sweepEveryMs = Math.max(1_000, Math.min(SWEEP_EVERY_MS, this.idleMs / 2));
  }

  /**
   * A session that ends unused (idle, or past its absolute end) gets its `auth.session.end` line
   * too: the store keeps it a little past its end (`endGraceMs`) and a sweep ends it there, or the
   * next request with its cookie does, whichever comes first.
   */
  onModuleInit(): void {
    this.sweepTimer = setInterval(() => void this.sweep(), this.sweepEveryMs);
    this.sweepTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.store.close();
  }

  /** Ends the stored sessions that are over; each is audited by the replica that removed it. */
  async sweep(now: number = Date.now()): Promise<void> {
    try {
      for (const session of await this.store.list()) {
        const reason = sessionExpiry(session, now, this.idleMs);
        if (reason) await this.endOver(session, reason, { requestId: 'session-sweep' });
      }
    } catch (error) {
      this.logger.error(`Session sweep failed: ${(error as Error).message}`);
    }
  }

  /** Maps the user's values to a role (or refuses) and stores a new session. */
  async create(
    user: SignedInUser,
    request: RequestLike,
  ): Promise<{ session: Session; cookie: SessionCookieValue }> {
    const mapped = mapRole(user.roleValues, this.config.roleMappings);
    if (!mapped) throw noRoleMapping(user, this.config);
    const now = Date.now();
    const cookie = { id: randomToken(12), secret: randomToken(32) };
    const session: Session = {
      id: cookie.id,
      secretSha256: sha256(cookie.secret),
      csrfToken: randomToken(24),
      provider: user.provider,
      subject: user.subject,
      email: user.email,
      name: user.name,
      role: mapped.role,
      teams: mapped.teams,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.config.sessions.ttlSeconds * 1000,
      recheckAt: Math.min(
        now + this.config.sessions.recheckSeconds * 1000,
        user.idpSessionEndsAt ?? Infinity,
      ),
      refreshToken: user.refreshToken,
      userAgent: header(request, 'user-agent')?.slice(0, 200),
      address: request.ip,
    };
    await this.guard(() => this.save(session, now));
    return { session, cookie };
  }

  /** The SESSION_PRINCIPALS seam: the principal of this request's session cookie, if any. */
  async principalOf(request: FastifyRequest): Promise<Principal | undefined> {
    const session = await this.sessionOf(request);
    return session && principal(session);
  }

  /** The live session of the request's cookie (CSRF-checked for state-changing methods). */
  async sessionOf(request: RequestLike): Promise<Session | undefined> {
    const cookie = parseSessionCookie(header(request, 'cookie'), this.cookies);
    if (!cookie) return undefined;
    let session = await this.guard(() => this.store.get(cookie.id));
    if (!session || !sameSecret(sha256(cookie.secret), session.secretSha256)) return undefined;
    const now = Date.now();
    const expired = sessionExpiry(session, now, this.idleMs);
    if (expired) {
      await this.guard(() =>
        this.endOver(session!, expired, {
          requestId: String(request.id),
          method: request.method,
          path: pathOf(request.url),
        }),
      );
      return undefined;
    }
    const csrf = csrfFailure(request.method, request.headers, session.csrfToken, this.publicOrigin);
    if (csrf) {
      this.audit(request, {
        action: 'auth.csrf',
        actor: session.subject,
        role: session.role,
        outcome: 'denied',
        status: 403,
        code: 'csrf_failed',
        session: session.id,
        reason: csrf,
      });
      throw new GatewayError({
        status: 403,
        code: 'csrf_failed',
        message: `CSRF check failed: ${csrf}. A call that changes state with the session cookie must send the ${this.cookies.name}_csrf cookie's value (also in GET /auth/me as csrfToken) as the x-csrf-token header, from the gateway's own origin.`,
      });
    }
    if (now >= session.recheckAt) {
      session = await this.recheckOnce(session, request);
      if (!session) return undefined;
    }
    if (now - session.lastSeenAt >= this.touchEveryMs) {
      session.lastSeenAt = now;
      await this.guard(() => this.save(session!, now));
    }
    return session;
  }

  /** Ends a session (logout, revocation, expiry, a failed re-check) and writes the audit line. */
  async end(
    session: Session,
    reason: string,
    request: RequestLike,
    detail?: string,
  ): Promise<boolean> {
    const existed = await this.guard(() => this.store.delete(session.id));
    this.audit(request, {
      ...sessionEnd(session, reason),
      action: reason === 'logout' ? 'auth.logout' : 'auth.session.end',
      explanation: detail,
    });
    return existed;
  }

  /** The live sessions (not those kept past their end until the sweep audits them). */
  async list(): Promise<Session[]> {
    const now = Date.now();
    const stored = await this.guard(() => this.store.list());
    return stored.filter((session) => !sessionExpiry(session, now, this.idleMs));
  }

  /** A live session by id (not one kept past its end). */
  async get(id: string): Promise<Session | undefined> {
    const session = await this.guard(() => this.store.get(id));
    return session && !sessionExpiry(session, Date.now(), this.idleMs) ? session : undefined;
  }

  get idleMilliseconds(): number {
    return this.idleMs;
  }

  /** Writes an audit line about sign-in, with the request's id, method and path. */
  audit(request: RequestLike, entry: Omit<AuditEntry, 'requestId'>): void {
    this.governance.audit.write({
      method: request.method,
      path: pathOf(request.url),
      requestId: String(request.id),
      ...entry,
    });
  }

  /** One re-check per session at a time in this process (and, through the store, across replicas). */
  private recheckOnce(session: Session, request: RequestLike): Promise<Session | undefined> {
    let running = this.rechecks.get(session.id);
    if (!running) {
      running = this.recheck(session, request).finally(() => this.rechecks.delete(session.id));
      this.rechecks.set(session.id, running);
    }
    return running;
  }

  private async recheck(session: Session, request: RequestLike): Promise<Session | undefined> {
    const oidc = this.runtime.oidc;
    if (session.provider !== 'oidc' || !session.refreshToken || !oidc) {
      await this.end(
        session,
        'recheck',
        request,
        session.provider === 'saml'
          ? 'a SAML session ends at its re-check: sign in again'
          : 'the IdP issued no refresh token (add offline_access to auth.oidc.scopes): sign in again',
      );
      return undefined;
    }
    const lock = `recheck:${session.id}`;
    // Another request or replica is re-checking: this one goes on with the session as it is.
    if (!(await this.guard(() => this.store.putOnce(lock, '1', RECHECK_LOCK_MS)))) return session;
    const now = Date.now();
    try {
      const user = await oidc.recheck(session.refreshToken, session.subject);
      const mapped = mapRole(user.roleValues, this.config.roleMappings);
      if (!mapped) {
        await this.end(
          session,
          'recheck',
          request,
          'no_role_mapping: the user no longer matches auth.roleMappings',
        );
        await this.revokeTokens(session, request, 'no_role_mapping', () =>
          this.tokens.removeOwnedBy(session.subject),
        );
        return undefined;
      }
      const changed = mapped.role !== session.role || mapped.teams.join() !== session.teams.join();
      const previousRole = session.role;
      Object.assign(session, {
        role: mapped.role,
        teams: mapped.teams,
        email: user.email ?? session.email,
        refreshToken: user.refreshToken,
        recheckAt: now + this.config.sessions.recheckSeconds * 1000,
      });
      await this.guard(() => this.save(session, now));
      if (changed)
        await this.revokeTokens(session, request, 'demoted', () =>
          this.tokens.restrictOwnedBy(session.subject, mapped),
        );
      this.audit(request, {
        action: 'auth.session.recheck',
        actor: session.subject,
        role: session.role,
        provider: session.provider,
        session: session.id,
        outcome: 'ok',
        explanation: changed
          ? `role ${previousRole} -> ${mapped.role}, teams [${mapped.teams.join(', ')}]`
          : undefined,
      });
      return session;
    } catch (error) {
      if (error instanceof IdpUnreachable) {
        const deadline = session.recheckAt + this.config.sessions.recheckSeconds * 1000;
        if (now >= deadline) {
          await this.end(session, 'recheck', request, `idp_unreachable: ${error.message}`);
          return undefined;
        }
        this.logger.warn(`Session re-check postponed: ${error.message}`);
        session.recheckAt = Math.min(now + RECHECK_RETRY_MS, deadline);
        await this.guard(() => this.save(session, now));
        return session;
      }
      if (error instanceof LoginFailure) {
        // The IdP refused the refresh: the user was removed or disabled there.
        await this.end(session, 'recheck', request, error.message);
        await this.revokeTokens(session, request, 'removed', () =>
          this.tokens.removeOwnedBy(session.subject),
        );
        return undefined;
      }
      throw error;
    } finally {
      await this.store.take(lock).catch(() => undefined);
    }
  }

  /**
   * A user the IdP removed loses their personal access tokens with the session; one it demoted
   * loses the tokens above the new role or teams (a token never holds more than its maker). One
   * `token.revoke` audit line names them; a token store that fails is logged, not hidden (the
   * session's own outcome stands).
   */
  private async revokeTokens(
    session: Session,
    request: RequestLike,
    reason: 'removed' | 'no_role_mapping' | 'demoted',
    revoke: () => Promise<Array<{ id: string; role: string }>>,
  ): Promise<void> {
    try {
      const removed = await revoke();
      if (removed.length === 0) return;
      this.audit(request, {
        action: 'token.revoke',
        actor: session.subject,
        role: session.role,
        provider: session.provider,
        session: session.id,
        outcome: 'ok',
        reason: `recheck_${reason}`,
        detail: { owner: session.subject, tokens: removed.map((t) => `${t.id} (${t.role})`) },
      });
    } catch (error) {
      this.logger.error(
        `Personal access tokens of ${session.subject} not revoked at the re-check: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Removes a session that is over and writes its `auth.session.end` line, once: only the caller
   * whose delete removed it (another replica's sweep or request may have been first).
   */
  private async endOver(
    session: Session,
    reason: 'idle' | 'expired',
    origin: Pick<AuditEntry, 'requestId' | 'method' | 'path'>,
  ): Promise<void> {
    if (!(await this.store.delete(session.id))) return;
    this.governance.audit.write({ ...origin, ...sessionEnd(session, reason) });
  }

  /** The store keeps a session this long past its end, for `endOver` to find and audit it. */
  private get endGraceMs(): number {
    return 2 * this.sweepEveryMs;
  }

  private save(session: Session, now: number): Promise<void> {
    return this.store.save(session, idleEnd(session, this.idleMs) - now + this.endGraceMs);
  }

  /** Store failures (Redis away) answer 503, never a 500 or a silent sign-out. */
  private async guard<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      this.logger.error(`Session store failed: ${(error as Error).message}`);
      throw new GatewayError({
        status: 503,
        code: 'auth_unavailable',
        message:
          'Sessions cannot be read right now (the session store does not answer). Try again shortly.',
      });
    }
  }
}

export function principal(session: Session): Principal {
  return {
    subject: session.subject,
    role: session.role,
    teams: session.teams,
    via: 'session',
    email: session.email,
    sessionId: session.id,
  };
}

function header(request: RequestLike, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function noRoleMapping(user: SignedInUser, config: AuthConfig): LoginFailure {
  const source =
    user.provider === 'oidc'
      ? `claim '${config.oidc?.rolesClaim}'`
      : `attribute '${config.saml?.rolesAttribute}'`;
  return new LoginFailure(
    'no_role_mapping',
    user.roleValues.length === 0
      ? `the ${source} is missing or empty`
      : `none of the ${user.roleValues.length} value(s) of the ${source} matches auth.roleMappings`,
  );
}

/** The audit line's fields for a session that ended (by logout, an admin, expiry or a re-check). */
function sessionEnd(session: Session, reason: string): Omit<AuditEntry, 'requestId'> {
  return {
    action: 'auth.session.end',
    actor: session.subject,
    role: session.role,
    provider: session.provider,
    session: session.id,
    outcome: 'ok',
    reason,
  };
}
