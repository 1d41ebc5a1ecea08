import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createGatewayApp } from './create-app';
import { ConfigError } from './config/gateway-config';
import { loadGatewayConfig } from './config/load-config';
import { LifecycleService } from './lifecycle/lifecycle.service';

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`groq-gateway: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createGatewayApp(config);
  if (config.redisUrl) {
    app
      .get(Logger)
      .warn(
        'REDIS_URL is set, but shared state in Redis is not implemented yet: key health is per replica',
        'Main',
      );
  }
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shutdown = (signal: string) => {
    app.get(Logger).log(`${signal} received: draining`, 'Main');
    void app
      .get(LifecycleService)
      .drain(app.getHttpServer())
      .then(() => app.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  app
    .get(Logger)
    .log(
      `groq-gateway listening on http://${config.host}:${port} (${config.groq.keys.length} Groq key(s), upstream ${config.groq.baseUrl})`,
      'Main',
    );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `groq-gateway: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
