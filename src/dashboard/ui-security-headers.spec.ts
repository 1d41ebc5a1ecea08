import { UI_CSP, uiCacheControl } from './ui-security-headers';

describe('dashboard security headers', () => {
  it('allows only the gateway itself, nothing inline, no framing', () => {
    expect(UI_CSP).toContain("default-src 'none'");
    expect(UI_CSP).toContain("script-src 'self'");
    expect(UI_CSP).toContain("frame-ancestors 'none'");
    expect(UI_CSP).not.toMatch(/unsafe-(inline|eval)|https?:/);
  });

  it('caches hashed assets for a year and revalidates the page', () => {
    expect(uiCacheControl('/ui/assets/index-0n815hrq.js')).toContain('immutable');
    expect(uiCacheControl('/ui/')).toBe('no-cache');
    expect(uiCacheControl('/ui/index.html')).toBe('no-cache');
  });
});
