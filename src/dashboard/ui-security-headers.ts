/**
 * The dashboard's Content-Security-Policy: everything from the gateway itself, nothing inline,
 * no CDN, no framing. Scripts and styles are Vite's hashed files under /ui/assets; the charts and
 * the framework set styles through the DOM (CSSOM), which style-src does not restrict.
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer under /ui (files, redirects, 404s). */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': UI_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** Hashed assets never change under their name; the page itself is revalidated each load. */
export function uiCacheControl(path: string): string {
  return /\/assets\/[^/]+-[\w-]{8,}\.\w+$/.test(path)
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
}
