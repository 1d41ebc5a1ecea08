import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../stack';

/** Writes files into a fresh temporary folder; returns their paths by name. */
export function tempFiles(files: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-secrets-'));
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], text);
  }
  return paths;
}

/** Waits until the gateway's output has matched `pattern` `count` times. */
export async function waitForOutput(
  output: () => string,
  pattern: RegExp,
  count = 1,
  timeoutMs = 10_000,
): Promise<void> {
  const global = new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
  );
  await waitFor(() => (output().match(global)?.length ?? 0) >= count, timeoutMs);
}

/** One chat call straight over HTTP; returns the status and the key id that served it. */
export async function chatOnce(
  gatewayUrl: string,
  content = 'Hello',
): Promise<{ status: number; keyId: string | null; body: string }> {
  const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content }],
    }),
  });
  return {
    status: response.status,
    keyId: response.headers.get('x-gateway-key-id'),
    body: await response.text(),
  };
}
