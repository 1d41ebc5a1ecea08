import type { AuthProvider } from '../auth-config';
import type { Role } from '../principal';

/** One signed-in user's session, as stored (memory or Redis). Times are epoch milliseconds. */
export interface Session {
  /** Public id: shown by GET /admin/sessions and used to revoke; not enough to use the session. */
  id: string;
  /** SHA-256 (hex) of the secret half of the cookie; the cookie itself is never stored. */
  secretSha256: string;
  /** The double-submit CSRF token (also in a readable cookie, sent back as x-csrf-token). */
  csrfToken: string;
  provider: AuthProvider;
  subject: string;
  email?: string;
  name?: string;
  role: Role;
  teams: string[];
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end: createdAt + auth.sessions.ttlSeconds. */
  expiresAt: number;
  /** When the IdP is asked again (OIDC refresh; a SAML session ends then). */
  recheckAt: number;
  /** OIDC refresh token, used at recheck; absent for SAML and for IdPs that issue none. */
  refreshToken?: string;
  userAgent?: string;
  address?: string;
}

/** What a login established about the user, before a session is made of it. */
export interface SignedInUser {
  provider: AuthProvider;
  subject: string;
  email?: string;
  name?: string;
  /** The rolesClaim / rolesAttribute values. */
  roleValues: string[];
  refreshToken?: string;
  /** SAML SessionNotOnOrAfter: the IdP's end of the sign-in; the session is re-checked by then. */
  idpSessionEndsAt?: number;
}

/** The session as the admin API shows it: no secret, no token. */
export interface SessionView {
  id: string;
  subject: string;
  email: string | null;
  role: Role;
  teams: string[];
  provider: AuthProvider;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  userAgent: string | null;
  address: string | null;
}

export function sessionView(session: Session, idleMs: number): SessionView {
  return {
    id: session.id,
    subject: session.subject,
    email: session.email ?? null,
    role: session.role,
    teams: session.teams,
    provider: session.provider,
    createdAt: new Date(session.createdAt).toISOString(),
    lastSeenAt: new Date(session.lastSeenAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    idleExpiresAt: new Date(idleEnd(session, idleMs)).toISOString(),
    userAgent: session.userAgent ?? null,
    address: session.address ?? null,
  };
}

/** When the session ends for want of use. */
export function idleEnd(session: Session, idleMs: number): number {
  return Math.min(session.lastSeenAt + idleMs, session.expiresAt);
}

/** Why a stored session no longer counts, or undefined while it does. */
export function sessionExpiry(
  session: Session,
  now: number,
  idleMs: number,
): 'expired' | 'idle' | undefined {
  if (now >= session.expiresAt) return 'expired';
  if (now >= idleEnd(session, idleMs)) return 'idle';
  return undefined;
}
