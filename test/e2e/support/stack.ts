import OpenAI from 'openai';
import { EmulatorOptions, GroqEmulator } from '../../emulator/emulator';
import { GatewayProcess, startGateway } from './gateway-process';

export const GATEWAY_KEY = 'gsk_e2e_gateway_key_0123456789';

export interface Stack {
  emulator: GroqEmulator;
  gateway: GatewayProcess;
  /** The official OpenAI client pointed at the gateway, with retries off so tests see each error. */
  openai: OpenAI;
  stop(): Promise<void>;
}

/** The Groq emulator and the built gateway in front of it, both on loopback ports. */
export async function startStack(
  env: Record<string, string> = {},
  emulatorOptions: EmulatorOptions = {},
): Promise<Stack> {
  const keys = env.GROQ_API_KEYS ? env.GROQ_API_KEYS.split(',') : [GATEWAY_KEY];
  const emulator = new GroqEmulator({ keys, ...emulatorOptions });
  const upstream = await emulator.start();
  const gateway = await startGateway({
    GROQ_BASE_URL: upstream,
    GROQ_API_KEY: GATEWAY_KEY,
    ...env,
  });
  const openai = new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: 'sk-client-key-not-forwarded',
    maxRetries: 0,
  });
  return {
    emulator,
    gateway,
    openai,
    stop: async () => {
      await gateway.stop();
      await emulator.stop();
    },
  };
}

/** Several Groq keys, so a 429 that rests one key does not stop the tests that follow. */
export function manyKeys(count: number): string {
  return Array.from({ length: count }, (_, i) => `gsk_e2e_key_${i + 1}`).join(',');
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
