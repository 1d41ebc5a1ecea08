import type { Role } from './principal';

/** One `auth.roleMappings` entry: a claim (OIDC) or attribute (SAML) value and what it grants. */
export interface RoleMapping {
  match: string;
  role: Role;
  teams: string[];
}

export interface OidcConfig {
  /** The issuer URL; its `/.well-known/openid-configuration` is read (discovery). */
  issuer: string;
  clientId: string;
  /** Undefined for a public client (PKCE alone). */
  clientSecret?: string;
  scopes: string[];
  /** The ID-token (or userinfo) claim whose values are matched by `roleMappings`. */
  rolesClaim: string;
}

export interface SamlConfig {
  /** The IdP's single sign-on URL (HTTP-Redirect binding). */
  entryPoint: string;
  /** This gateway's SAML entity id; assertions must name it as their audience. */
  issuer: string;
  /** The IdP's signing certificate(s), PEM. */
  idpCerts: string[];
  /** The assertion attribute whose values are matched by `roleMappings`. */
  rolesAttribute: string;
  /** Largest clock difference tolerated on NotBefore / NotOnOrAfter. */
  clockSkewSeconds: number;
}

export interface SessionsConfig {
  /** Absolute lifetime of a session from its login. */
  ttlSeconds: number;
  /** A session unused this long ends. */
  idleSeconds: number;
  cookieName: string;
  /** How often a session is checked again at the IdP (OIDC refresh; SAML: a new login). */
  recheckSeconds: number;
}

/** `auth:` in GATEWAY_CONFIG: sign-in to the admin side. Absent: no /auth routes, no sessions. */
export interface AuthConfig {
  /** The gateway's external URL, for redirect URLs (no trailing slash). */
  publicUrl: string;
  /** False only when publicUrl is http:// on a loopback host (local development and tests). */
  secureCookies: boolean;
  sessions: SessionsConfig;
  oidc?: OidcConfig;
  saml?: SamlConfig;
  roleMappings: RoleMapping[];
}

export type AuthProvider = 'oidc' | 'saml';
