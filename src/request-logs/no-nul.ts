/**
 * The text with each U+0000 made U+FFFD. A NUL the client sent (in the model it asked for, in a
 * body) would reach the record as it came; Postgres refuses it in text (22021) and SQLite stores
 * it but stops reading there (length, LIKE), so no record holds one: toLogRecord replaces it once,
 * so the store, the exports and the live tail see the same text. The check first: almost no text
 * has a NUL.
 */
export function noNul<T extends string | null | undefined>(text: T): T {
  return typeof text === 'string' && text.includes('\u0000')
    ? (text.replaceAll('\u0000', '\uFFFD') as T)
    : text;
}
