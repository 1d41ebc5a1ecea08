/**
 * Credentials that text from outside may carry (an upstream's error message that echoes the key
 * it was sent, a proxy's page quoting the Authorization header) replaced before a client or a log
 * line sees the text: Groq keys (`gsk_...`), any `Bearer <token>`, and each of `known` verbatim.
 */
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\bgsk_[A-Za-z0-9_-]+/g, 'gsk_[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
];

export function scrubCredentials(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) {
    // A short value would blank unrelated words; real keys are long.
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
