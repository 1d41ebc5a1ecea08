import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { GroqEmulator } from './emulator';

/** The common Claude model names, mapped to Groq models of a similar size. */
export const DEMO_CLAUDE_ALIASES = [
  'claude-3-5-sonnet-20241022=groq/llama-3.3-70b-versatile',
  'claude-3-5-sonnet-latest=groq/llama-3.3-70b-versatile',
  'claude-3-7-sonnet-20250219=groq/llama-3.3-70b-versatile',
  'claude-3-7-sonnet-latest=groq/llama-3.3-70b-versatile',
  'claude-sonnet-4-20250514=groq/openai/gpt-oss-120b',
  'claude-sonnet-4-5=groq/openai/gpt-oss-120b',
  'claude-opus-4-1=groq/openai/gpt-oss-120b',
  'claude-opus-4-20250514=groq/openai/gpt-oss-120b',
  'claude-3-5-haiku-20241022=groq/llama-3.1-8b-instant',
  'claude-3-5-haiku-latest=groq/llama-3.1-8b-instant',
  'claude-haiku-4-5=groq/llama-3.1-8b-instant',
  'claude-3-haiku-20240307=groq/llama-3.1-8b-instant',
].join(',');

/**
 * `npm run demo`: the gateway on the bundled Groq emulator, no key needed. Starts the emulator on
 * a loopback port and the built gateway (dist/main.js) pointed at it.
 */
async function main(): Promise<void> {
  const emulator = new GroqEmulator({ keepReceived: 0 });
  const url = await emulator.start();
  const gateway = spawn(process.execPath, [join(__dirname, '..', 'main.js')], {
    stdio: 'inherit',
    env: {
      ...process.env,
      GROQ_BASE_URL: url,
      GROQ_API_KEY: 'gsk_emulator_demo_key',
      // So the README's Anthropic one-liner (claude-3-5-sonnet-20241022) works on the demo.
      MODEL_ALIASES: process.env.MODEL_ALIASES ?? DEMO_CLAUDE_ALIASES,
      PORT: process.env.PORT ?? '8080',
    },
  });
  process.stdout.write(
    `${JSON.stringify({ msg: 'demo: gateway on the Groq emulator', emulator: url, try: `curl -s localhost:${process.env.PORT ?? 8080}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"groq/openai/gpt-oss-120b","messages":[{"role":"user","content":"Hi"}]}'` })}\n`,
  );
  const stop = () => gateway.kill('SIGTERM');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  gateway.on('exit', (code) => void emulator.stop().then(() => process.exit(code ?? 0)));
}

main().catch((error: Error) => {
  process.stderr.write(`demo: cannot start the Groq emulator: ${error.message}\n`);
  process.exit(1);
});
