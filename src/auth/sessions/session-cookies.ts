import { parse, serialize, type SerializeOptions } from 'cookie';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookie names and flags of one configuration. */
export interface CookieSettings {
  /** auth.sessions.cookieName: the session cookie (HttpOnly). */
  name: string;
  secure: boolean;
}

export interface SessionCookieValue {
  id: string;
  secret: string;
}

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Constant-time equality of two strings (false when the lengths differ). */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The readable cookie that carries the CSRF token for a UI to send back as x-csrf-token. */
export function csrfCookieName(settings: CookieSettings): string {
  return `${settings.name}_csrf`;
}

/** The short-lived cookie that ties a login's callback to the browser that started it. */
export function loginCookieName(settings: CookieSettings): string {
  return `${settings.name}_login`;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  try {
    return parse(header)[name];
  } catch {
    return undefined;
  }
}

/** `<id>.<secret>` from the session cookie, or undefined when it is absent or malformed. */
export function parseSessionCookie(
  header: string | undefined,
  settings: CookieSettings,
): SessionCookieValue | undefined {
  const value = readCookie(header, settings.name);
  if (!value) return undefined;
  const dot = value.indexOf('.');
  const id = value.slice(0, dot);
  const secret = value.slice(dot + 1);
  if (dot <= 0 || !TOKEN.test(id) || !TOKEN.test(secret)) return undefined;
  return { id, secret };
}

function base(settings: CookieSettings): SerializeOptions {
  return { path: '/', secure: settings.secure, sameSite: 'lax' };
}

/** Set-Cookie values for a new session: the session (HttpOnly) and its CSRF token (readable). */
export function sessionCookies(
  settings: CookieSettings,
  value: SessionCookieValue,
  csrfToken: string,
  maxAgeSeconds: number,
): string[] {
  return [
    serialize(settings.name, `${value.id}.${value.secret}`, {
      ...base(settings),
      httpOnly: true,
      maxAge: maxAgeSeconds,
    }),
    serialize(csrfCookieName(settings), csrfToken, { ...base(settings), maxAge: maxAgeSeconds }),
  ];
}

/** Set-Cookie values that remove the session cookies. */
export function clearedSessionCookies(settings: CookieSettings): string[] {
  return [
    serialize(settings.name, '', { ...base(settings), httpOnly: true, maxAge: 0 }),
    serialize(csrfCookieName(settings), '', { ...base(settings), maxAge: 0 }),
  ];
}

/**
 * The login cookie: HttpOnly, only on /auth/callback, ten minutes. A SAML response arrives as a
 * cross-site POST, which a SameSite=Lax cookie does not follow: with Secure cookies it is
 * SameSite=None there (browsers refuse None without Secure, so on loopback http it stays Lax).
 */
export function loginCookie(
  settings: CookieSettings,
  state: string,
  maxAgeSeconds: number,
  crossSitePost: boolean,
): string {
  return serialize(loginCookieName(settings), state, {
    path: '/auth/callback',
    httpOnly: true,
    secure: settings.secure,
    sameSite: crossSitePost && settings.secure ? 'none' : 'lax',
    maxAge: maxAgeSeconds,
  });
}

export function clearedLoginCookie(settings: CookieSettings): string {
  return serialize(loginCookieName(settings), '', {
    path: '/auth/callback',
    httpOnly: true,
    secure: settings.secure,
    maxAge: 0,
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a call made with the session cookie fails the CSRF check, or undefined when it passes.
 * Safe methods always pass. A state-changing call needs x-csrf-token equal to the session's
 * token (double submit: only a page of the gateway's own origin can read the CSRF cookie), and
 * an Origin header, when the browser sends one, must be the gateway's public origin.
 */
export function csrfFailure(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  csrfToken: string,
  publicOrigin: string,
): string | undefined {
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  const origin = headers.origin;
  if (typeof origin === 'string' && origin !== 'null' && origin !== publicOrigin)
    return `Origin ${origin} is not the gateway's (${publicOrigin})`;
  if (origin === 'null') return 'Origin null is refused';
  const token = headers['x-csrf-token'];
  if (typeof token !== 'string' || token === '') return 'the x-csrf-token header is missing';
  if (!sameSecret(token, csrfToken)) return 'the x-csrf-token header does not match the session';
  return undefined;
}
