import type { FastifyRequest } from 'fastify';

/** The roles of issue 20; what each may do is the permission table in `permissions.ts`. */
export const ROLES = ['admin', 'developer', 'viewer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** How a caller of the admin side proved who they are. */
export type PrincipalSource = 'admin_key' | 'token' | 'session';

/** Who is calling the admin side: resolved once per admin request, then checked against permissions. */
export interface Principal {
  /** 'admin-key' for the break-glass key, 'token:<id>' for a personal access token, the IdP subject for a session. */
  readonly subject: string;
  readonly role: Role;
  /** Teams the principal acts for; admin and auditor see every team whatever this holds. */
  readonly teams: readonly string[];
  readonly via: PrincipalSource;
  readonly email?: string;
  readonly sessionId?: string;
  readonly tokenId?: string;
  /** Who answers for this caller where a limit counts per caller (a token's: see `accountable`). */
  readonly accountable?: string;
}

/**
 * Nest injection token of the sign-in side (sessions from OIDC/SAML). Bound only when `auth` is
 * configured; the admin access guard asks it after the admin key and personal access tokens.
 */
export const SESSION_PRINCIPALS = Symbol('SESSION_PRINCIPALS');

export interface SessionPrincipals {
  /**
   * The principal of the session cookie on this request, or undefined when there is none or it has
   * expired. Throws a GatewayError (403 `csrf_failed`) for a state-changing call made with a session
   * cookie that fails the CSRF check.
   */
  principalOf(request: FastifyRequest): Promise<Principal | undefined>;
}
