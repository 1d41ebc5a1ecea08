import { performance } from 'node:perf_hooks';
import { compilePattern, findPatterns } from './regex';

describe('compilePattern', () => {
  it('runs a pattern recheck proves safe on the backtracking engine', () => {
    const compiled = compilePattern('\\b\\d{3}-\\d{2}-\\d{4}\\b');
    expect(compiled.engine).toBe('backtracking');
    expect(findPatterns('id 123-45-6789 and 1234-45-6789', [compiled])).toEqual([
      { start: 3, end: 14, label: 'redacted', category: 'pattern' },
    ]);
  });

  it('runs a catastrophic pattern on the linear engine: 100,000 characters in well under a second', () => {
    const compiled = compilePattern('(a+)+$');
    expect(compiled.engine).toBe('linear');
    const hostile = `${'a'.repeat(100_000)}!`;
    const started = performance.now();
    expect(findPatterns(hostile, [compiled])).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1_000);
    // The same pattern on the backtracking engine would not finish on 40 characters in a minute.
    expect(findPatterns('xaaa', [compiled])).toEqual([
      { start: 1, end: 4, label: 'redacted', category: 'pattern' },
    ]);
  });

  it('refuses what no linear engine can run, and what is not a pattern', () => {
    expect(() => compilePattern('(a)\\1')).toThrow(/cannot run in linear time/);
    expect(() => compilePattern('(?<=x)y')).toThrow(/cannot run in linear time/);
    expect(() => compilePattern('(unclosed')).toThrow(/not a valid regular expression/);
  });

  it('steps over empty matches', () => {
    expect(findPatterns('abc', [compilePattern('x*')])).toEqual([]);
  });
});
