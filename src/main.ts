import 'reflect-metadata';
import { backportAsyncResourceBind } from './runtime/async-resource-bind';
import { pinTickObjectShape } from './runtime/tick-object-shape';
import cluster from 'node:cluster';
import { Logger } from 'nestjs-pino';
import { createGatewayApp } from './create-app';
import { ConfigError, GatewayConfig } from './config/gateway-config';
import { refusePlaceholderGroqKeys } from './config/placeholder-secrets';
import { loadConfigWithSecrets, type SecretsRuntime } from './secrets/load-config-with-secrets';
import { LifecycleService } from './lifecycle/lifecycle.service';
import { installGlobalEgress } from './network/egress';
import { listenH2c } from './network/h2c-listener';
import { reloadCertificatesOnChange } from './network/tls-listener';

type TlsServer = Parameters<typeof reloadCertificatesOnChange>[0];

// Before Fastify and Nest bind anything, and before V8's first idle GC (see each for why).
backportAsyncResourceBind();
pinTickObjectShape();

async function main(): Promise<void> {
  const { config, secrets } = await loadConfigOrExit();
  if (config.workers > 1 && cluster.isPrimary) {
    // Each worker reads the references itself; the primary only checked that they can be read.
    await secrets?.references.close();
    runPrimary(config.workers);
    return;
  }
  // Before any client is made: fetch and undici calls follow HTTP(S)_PROXY and UPSTREAM_CA_FILE.
  installGlobalEgress(config.network.egress);
  const app = await createGatewayApp(config, secrets);
  if (config.redisUrl) {
    app
      .get(Logger)
      .log(
        'REDIS_URL is set: virtual keys, rate limits, budgets and Groq 429 rests are shared in Redis; key error rates, latency and breakers are learnt per replica',
        'Main',
      );
  }
  let closeH2c: (() => Promise<void>) | undefined;
  await app.listen(config.port, config.host);
  const shutdown = (signal: string) => {
    app.get(Logger).log(`${signal} received: draining`, 'Main');
    void app
      .get(LifecycleService)
      .drain(app.getHttpServer())
      .then(() => closeH2c?.())
      .then(() => app.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const tls = config.network.tls;
  if (tls) {
    const log = app.get(Logger);
    reloadCertificatesOnChange(app.getHttpServer() as unknown as TlsServer, tls, {
      info: (message) => log.log(message, 'Tls'),
      warn: (message) => log.warn(message, 'Tls'),
    });
  }
  if (config.network.h2cPort !== undefined) {
    const h2c = await listenH2c(app, config.network.h2cPort, config.host);
    closeH2c = h2c.close;
    app.get(Logger).log(`cleartext HTTP/2 (h2c) listening on port ${h2c.port}`, 'Main');
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app
    .get(Logger)
    .log(
      `groq-gateway listening on ${tls ? 'https' : 'http'}://${config.host}:${port} (${config.groq.keys.length} Groq key(s), upstream ${config.groq.baseUrl})`,
      'Main',
    );
}

async function loadConfigOrExit(): Promise<{ config: GatewayConfig; secrets?: SecretsRuntime }> {
  try {
    const loaded = await loadConfigWithSecrets(process.env);
    // A template's placeholder is no Groq key (the admin key is checked as it is read).
    refusePlaceholderGroqKeys(loaded.config.groq.keys, process.env);
    return loaded;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`groq-gateway: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * WORKERS > 1: this process only forks workers that share the listening port (node:cluster),
 * passes SIGTERM on so each drains, and exits when they have. A worker that dies is replaced.
 */
function runPrimary(workers: number): void {
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(
      `groq-gateway: worker ${worker.process.pid} exited with ${code}; starting another\n`,
    );
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `groq-gateway: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
