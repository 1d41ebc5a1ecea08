/** The one way the dashboard talks to the gateway: the documented admin API, same origin. */

const KEY_STORAGE = 'groq-gateway.admin-key';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** The admin key or token the user signed in with, for this tab only (sessionStorage). */
export const credentials = {
  get(): string | null {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  set(key: string): void {
    sessionStorage.setItem(KEY_STORAGE, key);
  },
  clear(): void {
    sessionStorage.removeItem(KEY_STORAGE);
  },
};

let csrfToken: string | null = null;
/** The CSRF token of a cookie session, sent on state-changing calls. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

let onUnauthorized: (() => void) | undefined;
/** Called when the gateway answers 401: the key or session is no longer good. */
export function whenUnauthorized(listener: () => void): void {
  onUnauthorized = listener;
}

export function authHeaders(method = 'GET'): Record<string, string> {
  const headers: Record<string, string> = {};
  const key = credentials.get();
  if (key) headers.authorization = `Bearer ${key}`;
  if (csrfToken && method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
  return headers;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers = authHeaders(method);
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: 'same-origin',
      signal: init.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'The gateway could not be reached. Check that it is running.', null);
  }
  const text = await response.text();
  const body = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const envelope = (body as { error?: { message?: string; code?: string; param?: string } })
      ?.error;
    if (response.status === 401) onUnauthorized?.();
    throw new ApiError(
      response.status,
      envelope?.message ?? `The gateway answered ${response.status}.`,
      envelope?.code ?? null,
      envelope?.param ?? null,
    );
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
