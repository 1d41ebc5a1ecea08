import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { GroqEmulator } from './emulator';

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
      PORT: process.env.PORT ?? '8080',
    },
  });
  process.stdout.write(
    `${JSON.stringify({ msg: 'demo: gateway on the Groq emulator', emulator: url, try: `curl -s localhost:${process.env.PORT ?? 8080}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"groq/llama-3.3-70b-versatile","messages":[{"role":"user","content":"Hi"}]}'` })}\n`,
  );
  const stop = () => gateway.kill('SIGTERM');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  gateway.on('exit', (code) => void emulator.stop().then(() => process.exit(code ?? 0)));
}

void main();
