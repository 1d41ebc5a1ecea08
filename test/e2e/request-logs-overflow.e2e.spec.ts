import OpenAI from 'openai';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { startBlackHole } from './support/log-receiver';
import { adminGet, metricValue, waitForLogs } from './support/request-logs';
import { Stack, startStack } from './support/stack';
import type { LogRecord } from '../../src/request-logs/log-record';

const MODEL = 'groq/llama-3.3-70b-versatile';
const CARD = '4111 1111 1111 1111';
const KEY = 'vk-overflow-e2e-secret-000000000000';

/**
 * LOGS_ON_OVERFLOW=block holds calls only for the store's queue: an export whose sink is dead fills
 * its own queue and drops (counted), and calls go on. LOGS_BODIES=full keeps the request as it
 * came, before a guardrail redacted it on its way to Groq.
 */
describe('request logs: block mode with a dead export, and full bodies', () => {
  let stack: Stack;
  let hole: Awaited<ReturnType<typeof startBlackHole>>;

  beforeAll(async () => {
    hole = await startBlackHole();
    const config = writeGatewayConfig(`
governance:
  virtualKeys:
    - { id: team-a, keyEnv: KEY }
guardrails:
  policies:
    - { id: pii-in, kind: pii, stage: input, action: redact, entities: [credit_card] }
  defaults: [pii-in]
logs:
  exports:
    - { type: http, name: dead-siem, url: '${hole.url}/ingest', secret: { env: SIEM_SECRET }, queueSize: 2, batchSize: 1, flushIntervalMs: 10, timeoutMs: 60000 }
`);
    stack = await startStack({
      GATEWAY_CONFIG: config.path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      KEY,
      SIEM_SECRET: 'siem-secret-for-e2e-0123456789',
      LOGS_ON_OVERFLOW: 'block',
      LOGS_BODIES: 'full',
      LOGS_FLUSH_INTERVAL_MS: '20',
      // The dead export's records wait for the grace at shutdown: keep it short.
      SHUTDOWN_GRACE_MS: '500',
    });
  });
  afterAll(async () => {
    await stack.stop();
    await hole.stop();
  });

  it('answers every call while the dead export drops its overflow, and the store keeps them all', async () => {
    const client = new OpenAI({
      baseURL: `${stack.gateway.url}/v1`,
      apiKey: KEY,
      maxRetries: 0,
    });
    const ids = Array.from({ length: 8 }, (_, i) => `overflow-e2e-${i}`);
    for (const id of ids) {
      await client.chat.completions.create(
        { model: MODEL, messages: [{ role: 'user', content: `call ${id}` }] },
        { headers: { 'x-request-id': id }, timeout: 5000 },
      );
    }
    const stored = await waitForLogs(stack.gateway.url, ids.length, 'q=overflow-e2e-');
    expect(stored.map((r) => r.request_id).sort()).toEqual([...ids].sort());
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(
      metricValue(metrics, 'groq_gateway_request_logs_dropped_total', {
        sink: 'dead-siem',
        reason: 'queue_full',
      }),
    ).toBeGreaterThan(0);
  });

  it('LOGS_BODIES=full keeps the body as it came; Groq got it redacted', async () => {
    const client = new OpenAI({
      baseURL: `${stack.gateway.url}/v1`,
      apiKey: KEY,
      maxRetries: 0,
      defaultHeaders: { 'x-request-id': 'full-body-e2e' },
    });
    await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: `my card is ${CARD}` }],
    });
    const sent = JSON.stringify(stack.emulator.chatRequests().at(-1)?.body);
    expect(sent).not.toContain(CARD);
    await waitForLogs(stack.gateway.url, 1, 'q=full-body-e2e');
    const record = await adminGet<LogRecord>(stack.gateway.url, '/admin/logs/full-body-e2e');
    expect(JSON.parse(record.json.request_body!)).toMatchObject({
      messages: [{ role: 'user', content: `my card is ${CARD}` }],
    });
  });
});
