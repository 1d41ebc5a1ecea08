import OpenAI from 'openai';
import { until, type HttpReceiver } from './support/alert-receivers';
import {
  alertsYaml,
  FREE_KEY,
  hookPosts,
  signatureValid,
  startAlertsBench,
} from './support/alerts-fixtures';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { MODEL, writeGatewayConfig } from './support/governance-fixtures';
import { startPostgres, type PostgresServer } from './support/postgres-server';
import { waitForLogs } from './support/request-logs';

const HOOK_SECRET = 'webhook-signing-secret-stores-01';

// A real Postgres stopped and started, a write queue backing off: more than the default 20 s.
jest.setTimeout(120_000);

describe('store_unavailable: the request-logs store (a real PostgreSQL stopped and started)', () => {
  let postgres: PostgresServer;
  let receiver: HttpReceiver;
  let stopBench: () => Promise<void>;
  let gateway: GatewayProcess;
  let openai: OpenAI;

  beforeAll(async () => {
    postgres = await startPostgres();
    const bench = await startAlertsBench();
    ({ receiver, stop: stopBench } = bench);
    gateway = await startGateway({
      ...bench.env,
      GROQ_API_KEY: 'gsk_logs_store_test_key',
      GATEWAY_CONFIG: writeGatewayConfig(
        alertsYaml({
          channels: [
            `{ id: hook, kind: webhook, url: ${receiver.url}/hook, secretEnv: HOOK_SECRET }`,
          ],
          rules: ['{ id: store, kind: store_unavailable, channels: [hook] }'],
        }),
      ).path,
      HOOK_SECRET,
      LOGS_STORE: 'postgres',
      LOGS_POSTGRES_URL: postgres.url,
      LOGS_FLUSH_INTERVAL_MS: '20',
    });
    openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: FREE_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await stopBench?.();
    await postgres?.stop();
  });

  const ask = (text: string) =>
    openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: text }] });

  it('fires while Postgres is down (requests still answered, records kept), resolves once it is back', async () => {
    await ask('before the outage');
    await waitForLogs(gateway.url, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(hookPosts(receiver, 'store')).toHaveLength(0);

    await postgres.halt();
    const during: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const answer = await ask(`during the outage ${i}`);
      during.push(Date.now() - started);
      expect(answer.choices[0].message.content).toEqual(expect.any(String));
    }
    const firing = await until(
      () => hookPosts(receiver, 'store').find((p) => p.body.type === 'alert.firing'),
      30_000,
    );
    expect(signatureValid(firing, HOOK_SECRET)).toBe(true);
    expect(firing.body).toMatchObject({
      rule: { id: 'store', kind: 'store_unavailable' },
      scope: { store: 'request-logs' },
      summary: expect.stringMatching(
        /^the request-logs store is unavailable: (writes fail|does not answer) \(.+\)$/,
      ),
      details: { reason: expect.any(String) },
    });
    // Never the store's URL (it may carry a password).
    expect(firing.raw).not.toContain(postgres.url);
    expect(firing.raw).not.toContain('unused-password');

    await postgres.restart();
    const resolved = await until(
      () => hookPosts(receiver, 'store').find((p) => p.body.type === 'alert.resolved'),
      60_000,
    );
    expect(resolved.body.alertKey).toBe(firing.body.alertKey);
    expect(signatureValid(resolved, HOOK_SECRET)).toBe(true);
    // The records of the calls made during the outage waited in the queue and were written.
    await waitForLogs(gateway.url, 4, 'limit=1000', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(hookPosts(receiver, 'store').map((p) => p.body.type)).toEqual([
      'alert.firing',
      'alert.resolved',
    ]);
    // A store down does not slow requests: its writes are off the request path.
    expect(Math.max(...during)).toBeLessThan(2_000);
  });

  it('fires for an idle store too (the probe finds it down with nothing to write)', async () => {
    const before = hookPosts(receiver, 'store').length;
    await postgres.halt();
    const firing = await until(
      () =>
        hookPosts(receiver, 'store')
          .slice(before)
          .find((p) => p.body.type === 'alert.firing'),
      30_000,
    );
    expect(firing.body.summary).toMatch(/^the request-logs store is unavailable: does not answer/);
    await postgres.restart();
    await until(
      () =>
        hookPosts(receiver, 'store')
          .slice(before)
          .find((p) => p.body.type === 'alert.resolved'),
      30_000,
    );
  });
});
