import { applyStopSequences, StopSequenceScanner } from './stop-sequences';

describe('applyStopSequences', () => {
  it('cuts at the earliest match and names it', () => {
    expect(applyStopSequences('one two three', ['three', 'two'])).toEqual({
      text: 'one ',
      matched: 'two',
    });
  });

  it('leaves text without a match alone', () => {
    expect(applyStopSequences('abc', ['x', ''])).toEqual({ text: 'abc', matched: null });
  });
});

describe('StopSequenceScanner', () => {
  it('finds a sequence split across pieces and releases only the text before it', () => {
    const scanner = new StopSequenceScanner(['STOP']);
    const out = [scanner.push('hello S'), scanner.push('TO'), scanner.push('P and more')];
    expect(out.join('')).toBe('hello ');
    expect(scanner.matched).toBe('STOP');
    expect(scanner.push('later')).toBe('');
    expect(scanner.flush()).toBe('');
  });

  it('releases held-back text at the end when nothing matched', () => {
    const scanner = new StopSequenceScanner(['STOP']);
    const out = [scanner.push('abc S'), scanner.push('T'), scanner.flush()];
    expect(out.join('')).toBe('abc ST');
    expect(scanner.matched).toBeNull();
  });

  it('passes text straight through without sequences', () => {
    expect(new StopSequenceScanner([]).push('all of it')).toBe('all of it');
  });
});
