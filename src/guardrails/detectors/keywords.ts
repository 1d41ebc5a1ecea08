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
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}_])(?:${folded.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`,
    'gu',
  );
  return {
    find(text) {
      const { normal, origin } = normalise(text);
      const findings: Finding[] = [];
      pattern.lastIndex = 0;
      let match: RegExpExecArray | null;
      while ((match = pattern.exec(normal)) !== null) {
        const end = match.index + match[0].length;
        findings.push({
          start: origin ? origin[match.index] : match.index,
          end: origin ? origin[end] : end,
          label: 'keyword',
        });
      }
      return findings;
    },
  };
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
