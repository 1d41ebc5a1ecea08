import { redact } from './finding';
import { keywordMatcher } from './keywords';

const redacted = (words: string[], text: string) => redact(text, keywordMatcher(words).find(text));

describe('keywordMatcher', () => {
  it('matches whole words, case-insensitively', () => {
    expect(redacted(['project-x'], 'About PROJECT-X and Project-X.')).toBe(
      'About [KEYWORD] and [KEYWORD].',
    );
    expect(redacted(['class'], 'a classic class, subclass')).toBe('a classic [KEYWORD], subclass');
  });

  it('sees through fullwidth forms, accents and zero-width characters', () => {
    expect(redacted(['project-x'], 'see ｐｒｏｊｅｃｔ-ｘ now')).toBe('see [KEYWORD] now');
    expect(redacted(['cafe'], 'un CAFÉ noir')).toBe('un [KEYWORD] noir');
    expect(redacted(['secret'], 'a se\u200bcr\u00adet plan')).toBe('a [KEYWORD] plan');
    expect(redacted(['naïve'], 'so naive')).toBe('so [KEYWORD]');
  });

  it('keeps word boundaries in other scripts and escapes regex characters in words', () => {
    expect(redacted(['код'], 'мой код и кодекс')).toBe('мой [KEYWORD] и кодекс');
    expect(redacted(['c++'], 'we use c++ and c')).toBe('we use [KEYWORD] and c');
    expect(redacted(['a.b'], 'axb a.b')).toBe('axb [KEYWORD]');
  });

  it('finds nothing with no words', () => {
    expect(keywordMatcher([' ']).find('anything')).toEqual([]);
  });
});
