import type { Finding } from './finding';

/**
 * Keyword matching that spelling tricks do not get past: case-insensitive, on Unicode-normalised
 * text (compatibility forms folded, so fullwidth `ｐｒｏｊｅｃｔ` is `project`; accents dropped;
 * zero-width characters and soft hyphens ignored), on word boundaries (`class` is not found in
 * `classic`). Offsets found in the normalised text are mapped back to the original for redaction.
 */
export interface KeywordMatcher {
  find(text: string): Finding[];
}

const INVISIBLE = /[\u00ad\u200b-\u200f\u2060\ufeff]/;
const MARKS = /\p{M}/gu;
const NON_ASCII = /[^\x00-\x7f]/;

/** Folds one piece of text the way keywords and texts are compared. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

export function keywordMatcher(words: readonly string[]): KeywordMatcher {
  const folded = [...new Set(words.map((w) => foldText(w).replace(INVISIBLE, '').trim()))]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
  if (folded.length === 0) return { find: () => [] };
  return {
    find(text) {
      const { normal, origin } = normalise(text);
      const findings: Finding[] = [];
      // indexOf per word (native, fast) and the boundaries checked by hand: an alternation
      // regex tried at every position was several times slower on a long prompt.
      for (const word of folded) {
        for (let at = normal.indexOf(word); at >= 0; at = normal.indexOf(word, at + 1)) {
          const end = at + word.length;
          if (isWordChar(normal, at - 1) || isWordChar(normal, end)) continue;
          findings.push({
            start: origin ? origin[at] : at,
            end: origin ? origin[end] : end,
            label: 'keyword',
          });
        }
      }
      return findings;
    },
  };
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** A letter, digit or underscore at `index` (the code point, surrogate pairs included). */
function isWordChar(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 0x80)
    return (
      (code >= 48 && code <= 57) ||
      (code >= 65 && code <= 90) ||
      (code >= 97 && code <= 122) ||
      code === 95
    );
  const start = code >= 0xdc00 && code <= 0xdfff && index > 0 ? index - 1 : index;
  return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(start) as number));
}

/**
 * The folded text and, when folding changed lengths, where each folded position came from
 * (`origin[i]` is the original offset of folded character i; one extra entry for the end).
 * ASCII text (the common case) folds with toLowerCase alone and needs no map.
 */
function normalise(text: string): { normal: string; origin?: number[] } {
  if (!NON_ASCII.test(text)) return { normal: text.toLowerCase() };
  let normal = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length;) {
    const code = text.codePointAt(i) as number;
    const width = code > 0xffff ? 2 : 1;
    const char = text.slice(i, i + width);
    const folded = code < 0x80 ? char.toLowerCase() : INVISIBLE.test(char) ? '' : foldText(char);
    for (let k = 0; k < folded.length; k++) origin.push(i);
    normal += folded;
    i += width;
  }
  origin.push(text.length);
  return { normal, origin };
}

/**
 * What a stream must hold back for these words (see match-span.ts): nothing for single words (a
 * cut at a space never splits one); for words with spaces in them, their length four times over,
 * room for the accents and invisible characters the matcher looks through.
 */
export function keywordsHoldChars(words: readonly string[]): number {
  return Math.max(0, ...words.filter((w) => /\s/.test(w.trim())).map((w) => 4 * w.length + 8));
}
