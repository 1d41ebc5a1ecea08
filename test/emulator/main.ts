import { GroqEmulator } from './emulator';

/** `npm run emulator`: the Groq emulator alone, for trying the gateway or benchmarking. */
async function main(): Promise<void> {
  const emulator = new GroqEmulator({
    port: Number(process.env.EMULATOR_PORT ?? 8081),
    host: process.env.EMULATOR_HOST ?? '127.0.0.1',
    retiredModels: process.env.EMULATOR_RETIRED_MODELS === 'served' ? 'served' : 'decommissioned',
    decommissioned: (process.env.EMULATOR_DECOMMISSIONED_MODELS ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
    firstByteDelayMs: Number(process.env.EMULATOR_FIRST_BYTE_MS ?? 0),
    chunkDelayMs: Number(process.env.EMULATOR_CHUNK_MS ?? 0),
    keepReceived: 0,
    // Standalone (demo, benchmarks): no token limit unless asked for, so load tests measure speed.
    defaultTokensPerMinute: Number(
      process.env.EMULATOR_TOKENS_PER_MINUTE ?? Number.MAX_SAFE_INTEGER,
    ),
    requestsPerDay: Number(process.env.EMULATOR_REQUESTS_PER_DAY ?? Number.MAX_SAFE_INTEGER),
  });
  const url = await emulator.start();
  process.stdout.write(`${JSON.stringify({ msg: 'groq emulator listening', url })}\n`);
  const stop = () => void emulator.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: NodeJS.ErrnoException) => {
  const where = `${process.env.EMULATOR_HOST ?? '127.0.0.1'}:${process.env.EMULATOR_PORT ?? 8081}`;
  const reason =
    error.code === 'EADDRINUSE'
      ? `${where} is already in use; set EMULATOR_PORT to a free port`
      : `cannot listen on ${where}: ${error.message}`;
  process.stderr.write(`groq emulator: ${reason}\n`);
  process.exit(1);
});
