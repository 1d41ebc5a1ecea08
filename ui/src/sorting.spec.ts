import { sortRows } from './sorting';

describe('sortRows', () => {
  const rows = [
    { id: 'a', n: 3 },
    { id: 'b', n: null },
    { id: 'c', n: 1 },
    { id: 'd', n: 3 },
  ];

  it('sorts numbers either way, keeping ties in their order and empty values last', () => {
    expect(sortRows(rows, (r) => r.n, 'ascending').map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
    expect(sortRows(rows, (r) => r.n, 'descending').map((r) => r.id)).toEqual(['a', 'd', 'c', 'b']);
  });

  it('sorts text by locale and leaves the input alone', () => {
    const names = [{ s: 'beta' }, { s: 'Alpha' }, { s: 'gamma' }];
    expect(sortRows(names, (r) => r.s, 'ascending').map((r) => r.s)).toEqual([
      'Alpha',
      'beta',
      'gamma',
    ]);
    expect(names[0].s).toBe('beta');
  });
});
