/**
 * Where the browser goes after login: a path on the gateway itself (`/...`, not `//host` or a
 * full URL, so the login cannot be used to send users elsewhere), else `/auth/me`.
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 2_000) return '/auth/me';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/auth/me';
  if (/[\u0000-\u001f\u007f]/.test(raw)) return '/auth/me';
  return raw;
}
