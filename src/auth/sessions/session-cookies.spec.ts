import {
  clearedSessionCookies,
  csrfFailure,
  loginCookie,
  parseSessionCookie,
  sessionCookies,
} from './session-cookies';

const settings = { name: 'gw_session', secure: true };
const id = 'AbCdEfGhIjKlMnOp';
const secret = 'x'.repeat(43);

describe('session cookies', () => {
  it('sets the session HttpOnly, Secure, SameSite=Lax and the CSRF token readable', () => {
    const [session, csrf] = sessionCookies(settings, { id, secret }, 'csrf-token', 3600);
    expect(session).toBe(
      `gw_session=${id}.${secret}; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
    expect(csrf).toBe('gw_session_csrf=csrf-token; Max-Age=3600; Path=/; Secure; SameSite=Lax');
  });

  it('drops Secure when the public URL is loopback http', () => {
    const [session] = sessionCookies({ ...settings, secure: false }, { id, secret }, 't', 60);
    expect(session).not.toContain('Secure');
    expect(session).toContain('HttpOnly');
  });

  it('clears both cookies', () => {
    expect(clearedSessionCookies(settings)).toEqual([
      'gw_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      'gw_session_csrf=; Max-Age=0; Path=/; Secure; SameSite=Lax',
    ]);
  });

  it('lets the SAML login cookie follow a cross-site POST only when Secure', () => {
    expect(loginCookie(settings, 's', 600, true)).toContain('SameSite=None');
    expect(loginCookie({ ...settings, secure: false }, 's', 600, true)).toContain('SameSite=Lax');
    expect(loginCookie(settings, 's', 600, false)).toContain('Path=/auth/callback');
  });

  it('reads <id>.<secret> and refuses anything else', () => {
    expect(parseSessionCookie(`a=b; gw_session=${id}.${secret}`, settings)).toEqual({ id, secret });
    expect(parseSessionCookie(`gw_session=${id}`, settings)).toBeUndefined();
    expect(parseSessionCookie(`gw_session=.${secret}`, settings)).toBeUndefined();
    expect(parseSessionCookie(`gw_session=${id}.short`, settings)).toBeUndefined();
    expect(parseSessionCookie(`gw_session=${id}.${secret}<script>`, settings)).toBeUndefined();
    expect(parseSessionCookie(undefined, settings)).toBeUndefined();
  });
});

describe('csrfFailure', () => {
  const origin = 'https://gateway.example.com';

  it('passes safe methods whatever they carry', () => {
    expect(csrfFailure('GET', { origin: 'https://evil.example' }, 't', origin)).toBeUndefined();
  });

  it('needs the matching x-csrf-token on a state-changing call', () => {
    expect(csrfFailure('POST', {}, 'token', origin)).toMatch(/missing/);
    expect(csrfFailure('DELETE', { 'x-csrf-token': 'other' }, 'token', origin)).toMatch(
      /does not match/,
    );
    expect(
      csrfFailure('POST', { 'x-csrf-token': 'token', origin }, 'token', origin),
    ).toBeUndefined();
  });

  it('refuses another origin even with the right token', () => {
    expect(
      csrfFailure(
        'PATCH',
        { 'x-csrf-token': 'token', origin: 'https://evil.example' },
        'token',
        origin,
      ),
    ).toMatch(/evil/);
    expect(
      csrfFailure('POST', { 'x-csrf-token': 'token', origin: 'null' }, 'token', origin),
    ).toMatch(/null/);
  });
});
