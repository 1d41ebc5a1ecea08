/** Log paths that may hold a secret; pino replaces their values. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'key',
  'apiKey',
  '*.key',
  '*.apiKey',
];
