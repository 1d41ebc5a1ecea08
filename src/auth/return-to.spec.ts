import { safeReturnTo } from './return-to';

describe('safeReturnTo', () => {
  it('keeps a path on the gateway', () => {
    expect(safeReturnTo('/admin/keys?x=1')).toBe('/admin/keys?x=1');
  });

  it('refuses anything that could leave the gateway', () => {
    for (const raw of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      'admin',
      '/a\nb',
      7,
    ])
      expect(safeReturnTo(raw)).toBe('/auth/me');
    expect(safeReturnTo(undefined)).toBe('/auth/me');
  });
});
