import { GroqEmulator } from '../../emulator/emulator';
import { GatewayProcess, startGateway } from './gateway-process';
import { ADMIN_KEY, writeGatewayConfig } from './governance-fixtures';
import { RedisServer, startRedisServer } from './redis-server';

export interface FleetOptions {
  /** Two replicas sharing a real Redis; else one gateway keeping its state in memory. */
  shared: boolean;
  /** GATEWAY_CONFIG's YAML. */
  config: string;
  /** More environment for every gateway (the virtual keys' secrets, ...). */
  env?: Record<string, string>;
  /** More environment for the shared (Redis) set-up only. */
  sharedEnv?: Record<string, string>;
}

/**
 * The two set-ups the governance suites check each limit under: one gateway with its state in
 * memory, or two replicas sharing a real Redis, in front of one emulator. Registers beforeAll and
 * afterAll in the calling describe; the returned list holds the gateways once the tests run.
 */
export function gatewayFleet(options: FleetOptions): GatewayProcess[] {
  const gateways: GatewayProcess[] = [];
  let redis: RedisServer | undefined;
  let emulator: GroqEmulator | undefined;
  beforeAll(async () => {
    if (options.shared) redis = await startRedisServer();
    emulator = new GroqEmulator({ keys: ['gsk_e2e_key_1'] });
    const env = {
      GROQ_BASE_URL: await emulator.start(),
      GROQ_API_KEY: 'gsk_e2e_key_1',
      GATEWAY_CONFIG: writeGatewayConfig(options.config).path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      ...options.env,
      ...(redis ? { REDIS_URL: redis.url, ...options.sharedEnv } : {}),
    };
    const started = await Promise.all(
      Array.from({ length: options.shared ? 2 : 1 }, () => startGateway(env)),
    );
    gateways.push(...started);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await emulator?.stop();
    await redis?.stop();
  });
  return gateways;
}
