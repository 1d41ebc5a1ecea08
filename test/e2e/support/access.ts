import { readFileSync } from 'node:fs';
import OpenAI from 'openai';

export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown> & {
    error?: { message: string; type: string; code: string | null; param: string | null };
  };
  text: string;
}

/** One admin call with a bearer (or none), the answer as status, headers and JSON (when JSON). */
export async function adminCall(
  baseUrl: string,
  method: string,
  path: string,
  bearer: string | null,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    // an export (NDJSON or CSV): the text is the answer
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** Makes a personal access token with `maker`'s bearer; fails the test if it cannot. */
export async function makeToken(
  baseUrl: string,
  maker: string,
  body: { name: string; role: string; teams?: string[]; expiresInDays?: number },
): Promise<{ id: string; token: string }> {
  const answer = await adminCall(baseUrl, 'POST', '/admin/tokens', maker, body);
  if (answer.status !== 201) throw new Error(`token not made: ${answer.status} ${answer.text}`);
  return { id: answer.json.id as string, token: answer.json.token as string };
}

/** The audit file's lines, parsed. */
export function auditLines(path: string): Array<Record<string, unknown>> {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Polls until `probe` holds something (the audit log and request logs are written asynchronously). */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error('not seen in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export type Role = 'admin' | 'developer' | 'viewer' | 'auditor';
export const ROLES: Role[] = ['admin', 'developer', 'viewer', 'auditor'];

/** An admin route, its request body if any, and the roles the issue lets through. */
export interface RouteAccess {
  method: string;
  path: string;
  body?: unknown;
  allowed: Role[];
}

/** One test case per route and role: its name, the role, what the role should get, the route. */
export function roleCases(routes: RouteAccess[]) {
  return routes.flatMap((route) =>
    ROLES.map(
      (role) =>
        [
          `${route.method} ${route.path}`,
          role,
          route.allowed.includes(role) ? 'allowed' : '403',
          route,
        ] as const,
    ),
  );
}

/** A chat call through the official client, with the given request id (to find it in logs). */
export function askWithRequestId(
  baseUrl: string,
  apiKey: string,
  content: string,
  requestId: string,
  model = 'groq/llama-3.3-70b-versatile',
) {
  return new OpenAI({
    baseURL: `${baseUrl}/v1`,
    apiKey,
    maxRetries: 0,
    defaultHeaders: { 'x-request-id': requestId },
  }).chat.completions.create({ model, messages: [{ role: 'user', content }] });
}
