import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ADMIN_KEY = 'admin-key-for-e2e-0123456789abcdef';
export const MODEL = 'groq/llama-3.3-70b-versatile';

/** Writes a GATEWAY_CONFIG file into a fresh temporary folder; returns its path and folder. */
export function writeGatewayConfig(yaml: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-governance-'));
  const path = join(dir, 'gateway.yaml');
  writeFileSync(path, yaml);
  return { path, dir };
}

/** Calls the admin API with the admin key (or another) and returns status, headers and JSON. */
export async function admin(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  /** null: no key at all. */
  key: string | null = ADMIN_KEY,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/admin/keys${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** A chat completion or an error envelope, as JSON. */
export interface ChatAnswer {
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  error?: { message: string; type: string; code: string | null; param: string | null };
  [field: string]: unknown;
}

/** A chat call with a raw fetch, for headers and statuses the SDK would turn into exceptions. */
export async function chat(
  baseUrl: string,
  key: string | undefined,
  body: Record<string, unknown> = {},
): Promise<{ status: number; headers: Headers; json: ChatAnswer }> {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Hello' }], ...body }),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as ChatAnswer,
  };
}
