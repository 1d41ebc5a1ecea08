import { CookieJar } from 'tough-cookie';

export interface Page {
  status: number;
  url: string;
  headers: Headers;
  text: string;
  /** Every URL the browser was sent through, the first included. */
  redirects: string[];
}

/**
 * An HTTP client that behaves like a browser for sign-in flows: a cookie jar (tough-cookie, with
 * Secure/HttpOnly/Path/Max-Age honoured) and redirects followed by hand, so each hop's cookies
 * are stored and sent like a browser would.
 */
export class Browser {
  readonly jar = new CookieJar();

  async get(url: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('GET', url, undefined, headers);
  }

  /** Posts a form (application/x-www-form-urlencoded), as an HTML form would. */
  async postForm(url: string, form: Record<string, string>): Promise<Page> {
    return this.request('POST', url, new URLSearchParams(form).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  async request(
    method: string,
    url: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    const redirects: string[] = [];
    let current = url;
    for (let hop = 0; hop < 20; hop++) {
      redirects.push(current);
      const cookie = await this.jar.getCookieString(current);
      const response = await fetch(current, {
        method,
        body,
        redirect: 'manual',
        headers: { ...headers, ...(cookie ? { cookie } : {}) },
      });
      for (const set of response.headers.getSetCookie())
        await this.jar.setCookie(set, current, { ignoreError: true });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        current = new URL(location, current).href;
        // A 303 (and, as browsers do, a 302 after a POST) continues as a GET without the body.
        if (response.status !== 307 && response.status !== 308) {
          method = 'GET';
          body = undefined;
          headers = {};
        }
        continue;
      }
      return {
        status: response.status,
        url: current,
        headers: response.headers,
        text: await response.text(),
        redirects,
      };
    }
    throw new Error(`more than 20 redirects from ${url}`);
  }

  /** The value of a cookie the browser holds for `url`. */
  async cookie(url: string, name: string): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(url);
    return cookies.find((c) => c.key === name)?.value;
  }
}
