import { RegExpParser, type AST } from '@eslint-community/regexpp';

/**
 * How far back from where a stream would let text go a configured pattern can still be matching.
 *
 * The stream guard lets text go only just after a whitespace character, so a match that holds no
 * whitespace is never cut in two: it is let go whole (and checked whole) or held whole. A match
 * that can hold whitespace (`\d{3} \d{4}`, `top secret`) could be cut at one of its own spaces, so
 * the guard holds back at least its longest possible length: then any match over the cut lies
 * wholly in the held text, where the detector finds it. A pattern whose matches can hold
 * whitespace and have no length limit (`secret.*code`) gets `Infinity`: such a stream is held
 * whole, as `buffer` holds it.
 */
export function streamHoldChars(source: string): number {
  const pattern = new RegExpParser({ ecmaVersion: 2024 }).parsePattern(source);
  const span = spanOf(pattern);
  return span.whitespace ? span.max : 0;
}

interface Span {
  /** The longest match, in UTF-16 units (Infinity: no limit). */
  max: number;
  /** Whether a match can hold a whitespace character. */
  whitespace: boolean;
}

/** Every character `\s` matches, which is where the stream guard may cut. */
const WHITESPACE = [
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2001',
  '\u2002',
  '\u2003',
  '\u2004',
  '\u2005',
  '\u2006',
  '\u2007',
  '\u2008',
  '\u2009',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
];

function spanOf(node: AST.Node): Span {
  switch (node.type) {
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup':
      return alternatives(node.alternatives);
    case 'Alternative': {
      let max = 0;
      let whitespace = false;
      for (const element of node.elements) {
        const span = spanOf(element);
        max += span.max;
        whitespace ||= span.whitespace;
      }
      return { max, whitespace };
    }
    case 'Quantifier': {
      const inner = spanOf(node.element);
      if (inner.max === 0 || node.max === 0) return { max: 0, whitespace: false };
      return {
        max: node.max === Infinity ? Infinity : inner.max * node.max,
        whitespace: inner.whitespace,
      };
    }
    case 'Character':
    case 'CharacterSet':
    case 'CharacterClass': {
      const astral = node.type === 'Character' && node.value > 0xffff;
      return { max: astral ? 2 : 1, whitespace: matchesWhitespace(node.raw, astral) };
    }
    case 'Assertion':
      return { max: 0, whitespace: false };
    default:
      // Backreferences and the like never get here: the linear engine refuses them at start-up.
      return { max: Infinity, whitespace: true };
  }
}

function alternatives(list: readonly AST.Alternative[]): Span {
  let max = 0;
  let whitespace = false;
  for (const alternative of list) {
    const span = spanOf(alternative);
    max = Math.max(max, span.max);
    whitespace ||= span.whitespace;
  }
  return { max, whitespace };
}

/** Whether one atom (`a`, `\\s`, `.`, `[^x]`) can match a whitespace character; yes if unsure. */
function matchesWhitespace(raw: string, astral: boolean): boolean {
  try {
    const atom = new RegExp(raw, astral ? 'u' : '');
    return WHITESPACE.some((c) => atom.test(c));
  } catch {
    return true;
  }
}
