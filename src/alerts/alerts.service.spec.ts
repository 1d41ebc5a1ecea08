import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { startRedisServer, type RedisServer } from '../../test/e2e/support/redis-server';
import { CallEvents } from '../call/call-events';
import type { RuleConfig } from '../config/alerts-config';
import type { AllConfig } from '../config/gateway-config';
import type { LiveConfig } from '../config/live-config';
import type { GovernanceService } from '../governance/governance.service';
import { StoreBreakerOpenError } from '../governance/store/store-breaker';
import type { MetricsService } from '../metrics/metrics.service';
import type { GroqService } from '../providers/groq/groq.service';
import { AlertsService } from './alerts.service';

const rule = (id: string, kind: RuleConfig['kind']): RuleConfig => ({
  id,
  kind,
  channels: ['hook'],
  threshold: 0.8,
  thresholdMs: 0,
  windowSeconds: 0,
  minRequests: 0,
  cooldownMs: 0,
});

/** The service with fakes around it; Groq keys' answers through `keyAnswered`. Ticks when told. */
function alerts(options: {
  rules: RuleConfig[];
  hookUrl?: string;
  redisUrl?: string;
  governance?: object;
}) {
  const outcomes: Array<(keyId: string, status: number) => void> = [];
  const gateway = {
    redisUrl: options.redisUrl,
    alerts: {
      channels: [
        {
          id: 'hook',
          kind: 'webhook',
          url: options.hookUrl ?? 'http://127.0.0.1:9/hook',
          secret: 'webhook-signing-secret-spec',
        },
      ],
      rules: options.rules,
      cooldownMs: 0,
      allowPrivateNetworks: true,
      evaluateIntervalMs: 600_000,
      deliveryAttempts: 1,
      queueLimit: 10,
    },
  };
  const service = new AlertsService(
    { get: () => gateway } as unknown as ConfigService<AllConfig, true>,
    new CallEvents(),
    {
      keys: {
        onOutcome: (listener: (keyId: string, status: number) => void) => {
          outcomes.push(listener);
          return () => undefined;
        },
        status: () => [],
      },
    } as unknown as GroqService,
    { storeIsHealthy: true, ...options.governance } as unknown as GovernanceService,
    { registry: new Registry() } as unknown as MetricsService,
    { onChange: () => () => undefined } as unknown as LiveConfig,
  );
  service.onModuleInit();
  return {
    service,
    keyAnswered: (keyId: string, status: number) => outcomes.forEach((o) => o(keyId, status)),
  };
}

async function until<T>(check: () => Promise<T | undefined | null | false>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('timed out');
}

describe('AlertsService', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs a governance store breaker that is open as one warning without a stack, not an error', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const { service } = alerts({
      rules: [rule('budget-80', 'budget_usage')],
      governance: {
        registry: {
          all: () => [{ id: 'vk', budget: { usd: 1, period: 'monthly' } }],
          allTeams: () => [],
        },
        store: { usage: () => Promise.reject(new StoreBreakerOpenError()) },
      },
    });
    await service.tick();
    await service.tick();
    expect(error).not.toHaveBeenCalled();
    expect(warn.mock.calls).toEqual([
      [
        'alert evaluation skipped: governance store circuit breaker open: skipped until a probe answers',
      ],
    ]);
    await service.onModuleDestroy();
  });

  describe('two replicas on one Redis', () => {
    let redis: RedisServer;
    let hook: Server;
    let posts = 0;

    beforeAll(async () => {
      redis = await startRedisServer();
      hook = createServer((req, res) => {
        posts++;
        req.resume();
        res.end('ok');
      });
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => hook.close(resolve));
      await redis?.stop();
    });

    it("shows the lock holder's lastSent on the other replica, a former holder's included", async () => {
      jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const options = {
        rules: [rule('keys', 'key_invalid')],
        hookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
        redisUrl: redis.url,
      };
      const a = alerts(options);
      const b = alerts(options);
      const admin = new Redis(redis.url);
      const lastSent = async (replica: AlertsService) => (await replica.view()).rules[0].lastSent;
      try {
        // b holds the lock and sends the firing.
        await until(async () => {
          await b.service.tick();
          return (await b.service.view()).leader;
        });
        b.keyAnswered('groq-key-1', 401);
        await b.service.tick();
        const fired = await until(async () => posts === 1 && lastSent(b.service));

        // The lock goes to a, which sends the resolve once the key answers again.
        await admin.del('gw:alerts:{fleet}:leader');
        await a.service.tick();
        b.keyAnswered('groq-key-1', 200);
        await b.service.tick();
        await a.service.tick();
        const resolved = await until(async () => posts === 2 && lastSent(a.service));
        expect(resolved > fired).toBe(true);
        await a.service.tick();

        const other = await b.service.view();
        expect(other.leader).toBe(false);
        expect(other.rules[0]).toMatchObject({ state: 'ok', lastSent: resolved });
      } finally {
        admin.disconnect();
        await Promise.all([a.service.onModuleDestroy(), b.service.onModuleDestroy()]);
      }
    });
  });
});
