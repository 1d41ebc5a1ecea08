import OpenAI from 'openai';
import { performance } from 'node:perf_hooks';
import { caught } from './support/caught';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { startLogReceiver, startBlackHole, type LogReceiver } from './support/log-receiver';
import { startOtlpCollector, type OtlpCollector } from './support/otlp-collector';
import { adminGet, metricValue, waitForLogs } from './support/request-logs';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from './support/s3-server';
import { manyKeys, Stack, startStack } from './support/stack';
import type { LogRecord } from '../../src/request-logs/log-record';

const MODEL = 'groq/llama-3.3-70b-versatile';
const KEY_A = 'vk-exports-team-a-secret-000000000';
const SIEM_SECRET = 'siem-hmac-secret-for-e2e';
const SIEM_AUTH = 'Splunk 1f2e3d4c-e2e-token';
const OTLP_TOKEN = 'otlp-collector-token-e2e';
const BUCKET = 'gateway-logs';
const DEAD_QUEUE = 4;
const DEAD_SINKS = ['s3-dead', 'otlp-dead', 'http-dead'];

/**
 * Each export sink against a real local receiver: s3rver (an S3-compatible server from npm) for
 * S3, a loopback OTLP/HTTP logs receiver checking the OTLP/JSON shape, and a loopback SIEM endpoint
 * verifying the HMAC signature and auth header. Beside them, one dead sink of each type (a port that
 * accepts and never answers): calls stay fast and what those sinks cannot take is counted.
 */
describe('request logs: exports to S3, OTLP and HTTP, and dead sinks that cost nothing', () => {
  let stack: Stack;
  let url: string;
  let s3: S3Server;
  let collector: OtlpCollector;
  let receiver: LogReceiver;
  let hole: Awaited<ReturnType<typeof startBlackHole>>;
  const ids: Record<string, string> = {};
  const latenciesMs: number[] = [];
  let records: LogRecord[] = [];

  beforeAll(async () => {
    s3 = await startS3Server(BUCKET);
    collector = await startOtlpCollector(OTLP_TOKEN);
    receiver = await startLogReceiver({
      secret: SIEM_SECRET,
      authorization: SIEM_AUTH,
      failFirst: 2,
    });
    hole = await startBlackHole();
    const config = writeGatewayConfig(`
governance:
  virtualKeys:
    - { id: team-a, keyEnv: KEY_A }
guardrails:
  policies:
    - { id: pii-in, kind: pii, stage: input, action: redact, entities: [credit_card] }
    - { id: no-codenames, kind: keywords, stage: input, action: block, words: [project-x] }
    - { id: fruit, kind: keywords, stage: input, action: flag, words: [banana] }
  defaults: [pii-in, no-codenames, fruit]
logs:
  exports:
    - { type: s3, name: s3, bucket: ${BUCKET}, prefix: request-logs, endpoint: '${s3.endpoint}', region: us-east-1, batchSize: 4, flushIntervalMs: 100 }
    - type: otlp
      name: otel
      url: ${collector.url}
      headers: { authorization: { env: OTLP_AUTH } }
      batchSize: 5
      flushIntervalMs: 100
    - type: http
      name: siem
      url: ${receiver.url}/ingest
      secret: { env: SIEM_SECRET }
      headers: { authorization: { env: SIEM_AUTH } }
      batchSize: 3
      flushIntervalMs: 100
      retryBaseDelayMs: 300
    - { type: http, name: siem-refused, url: '${receiver.url}/always-500', secret: { env: SIEM_SECRET }, headers: { authorization: { env: SIEM_AUTH } }, maxAttempts: 2, retryBaseDelayMs: 50, flushIntervalMs: 100 }
    - { type: s3, name: s3-dead, bucket: ${BUCKET}, endpoint: '${hole.url}', queueSize: ${DEAD_QUEUE}, timeoutMs: 60000, batchSize: 2, flushIntervalMs: 10 }
    - { type: otlp, name: otlp-dead, url: '${hole.url}/v1/logs', queueSize: ${DEAD_QUEUE}, timeoutMs: 60000, batchSize: 2, flushIntervalMs: 10 }
    - { type: http, name: http-dead, url: '${hole.url}/ingest', secret: { env: SIEM_SECRET }, queueSize: ${DEAD_QUEUE}, timeoutMs: 60000, batchSize: 2, flushIntervalMs: 10 }
`);
    stack = await startStack({
      GATEWAY_CONFIG: config.path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      KEY_A,
      GROQ_API_KEYS: manyKeys(3),
      RETRY_MAX_ATTEMPTS: '1',
      LOGS_FLUSH_INTERVAL_MS: '20',
      LOGS_BODIES: 'redacted',
      LOGS_REPLICA_ID: 'replica-e2e',
      SHUTDOWN_GRACE_MS: '2000',
      OTLP_AUTH: `Bearer ${OTLP_TOKEN}`,
      SIEM_SECRET,
      SIEM_AUTH,
      ...S3RVER_CREDENTIALS,
    });
    url = stack.gateway.url;
    const client = (requestId: string) =>
      new OpenAI({
        baseURL: `${url}/v1`,
        apiKey: KEY_A,
        maxRetries: 0,
        defaultHeaders: { 'x-request-id': requestId },
      });
    const timed = async (name: string, call: (client: OpenAI) => Promise<unknown>) => {
      ids[name] = `exports-e2e-${name}`;
      const started = performance.now();
      await call(client(ids[name]));
      latenciesMs.push(performance.now() - started);
    };
    const ask = (content: string) => (c: OpenAI) =>
      c.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }] });

    await timed('json', ask('hello from the exports test'));
    await timed('stream', async (c) => {
      const stream = await c.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'stream please' }],
        stream: true,
      });
      for await (const _chunk of stream) void _chunk;
    });
    await timed('failed', (c) => caught(ask('[fault:503]')(c)));
    await timed('redacted', ask('my card is 4111 1111 1111 1111, keep it safe'));
    await timed('blocked', (c) => caught(ask('tell me about project-x')(c)));
    await timed('flagged', ask('a banana split recipe'));
    for (let i = 0; i < 6; i++) await timed(`plain-${i}`, ask(`plain call ${i}`));
    records = await waitForLogs(url, 12);
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([s3?.stop(), collector?.stop(), receiver?.stop(), hole?.stop()]);
  });

  const byRequest = (name: string) => records.find((r) => r.request_id === ids[name])!;
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000) => {
    const start = Date.now();
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('records carry the guardrail outcomes, and redacted bodies as guardrails left them', () => {
    expect(records).toHaveLength(12);
    expect(byRequest('redacted').guardrails).toEqual([
      { policy: 'pii-in', stage: 'input', outcome: 'redacted', category: 'credit_card' },
      { policy: 'no-codenames', stage: 'input', outcome: 'pass' },
      { policy: 'fruit', stage: 'input', outcome: 'pass' },
    ]);
    expect(byRequest('redacted').request_body).toContain('my card is');
    expect(byRequest('redacted').request_body).not.toContain('4111');
    expect(byRequest('blocked')).toMatchObject({
      status: 400,
      error_code: 'guardrail_blocked',
      guardrails: expect.arrayContaining([
        expect.objectContaining({ policy: 'no-codenames', outcome: 'blocked' }),
      ]) as unknown,
    });
    expect(byRequest('flagged').guardrails).toContainEqual(
      expect.objectContaining({ policy: 'fruit', stage: 'input', outcome: 'flagged' }),
    );
    expect(byRequest('json').guardrails?.map((g) => g.outcome)).toEqual(['pass', 'pass', 'pass']);
  });

  describe('S3 (s3rver)', () => {
    it('writes gzip NDJSON objects per hour slice, named by replica and sequence, with the records', async () => {
      const objects = await until('12 records in S3', async () => {
        const all = await s3.objects();
        const count = all.reduce((n, o) => n + o.text.trim().split('\n').length, 0);
        return count >= 12 ? all : undefined;
      });
      const exported = new Map<string, LogRecord>();
      for (const object of objects) {
        expect(object.key).toMatch(
          /^request-logs\/\d{4}\/\d\d\/\d\d\/\d\d\/replica-e2e-\d+\.ndjson\.gz$/,
        );
        expect(object.metadata['schema-version']).toBe('1');
        const lines = object.text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as LogRecord);
        expect(Number(object.metadata.records)).toBe(lines.length);
        expect(lines.length).toBeLessThanOrEqual(4);
        for (const record of lines) {
          // The object sits in the hour its records' calls started in.
          const t = record.time;
          expect(
            object.key.startsWith(
              `request-logs/${t.slice(0, 4)}/${t.slice(5, 7)}/${t.slice(8, 10)}/${t.slice(11, 13)}/`,
            ),
          ).toBe(true);
          exported.set(record.id, record);
        }
      }
      // Deduplicated by id (delivery is at least once), the objects hold exactly the stored records.
      expect([...exported.keys()].sort()).toEqual(records.map((r) => r.id).sort());
      for (const stored of records) expect(exported.get(stored.id)).toEqual(stored);
      expect(objects.length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('OTLP logs (loopback collector)', () => {
    it('sends one OTel log record per call in OTLP/JSON, with the fields as attributes', async () => {
      await until('12 OTLP logs', async () => (collector.logs.length >= 12 ? true : undefined));
      expect(collector.refused).toEqual([]);
      const byUid = new Map(collector.logs.map((l) => [l.attributes['log.record.uid'], l]));
      expect([...byUid.keys()].sort()).toEqual(records.map((r) => r.id).sort());
      const json = byRequest('json');
      const log = byUid.get(json.id)!;
      expect(log.resource).toMatchObject({
        'service.name': 'groq-gateway',
        'service.instance.id': 'replica-e2e',
      });
      expect(log.scope).toBe('groq-gateway.request-logs');
      expect(log).toMatchObject({
        eventName: 'gateway.request',
        body: 'POST /v1/chat/completions 200',
        severityNumber: 9,
        severityText: 'INFO',
      });
      expect(log.timeUnixNano / 1_000_000n).toBe(BigInt(Date.parse(json.time)));
      expect(log.attributes).toMatchObject({
        'gateway.request_id': json.request_id,
        'gateway.trace_id': json.trace_id,
        'gateway.virtual_key_id': 'team-a',
        'gateway.model': MODEL,
        'gateway.status': 200,
        'gateway.prompt_tokens': json.prompt_tokens,
        'gateway.schema_version': 1,
        'gateway.stream': false,
      });
      expect(JSON.parse(log.attributes['gateway.guardrails'] as string)).toEqual(json.guardrails);
      expect(byUid.get(byRequest('failed').id)).toMatchObject({
        severityText: 'ERROR',
        severityNumber: 17,
      });
      expect(byUid.get(byRequest('blocked').id)).toMatchObject({
        severityText: 'WARN',
        severityNumber: 13,
      });
    });
  });

  describe('HTTP sink (loopback SIEM receiver)', () => {
    it('posts signed NDJSON batches with the auth header, retried with backoff until accepted', async () => {
      const accepted = () =>
        receiver.batches.filter((b) => b.path === '/ingest' && b.status === 200);
      await until('12 records accepted', async () =>
        accepted().reduce((n, b) => n + b.records.length, 0) >= 12 ? true : undefined,
      );
      // Every POST was signed right and carried the auth header (the receiver checks both).
      expect(receiver.refused).toEqual([]);
      const ingest = receiver.batches.filter((b) => b.path === '/ingest');
      for (const batch of ingest) {
        expect(batch.records.length).toBeGreaterThan(0);
        expect(batch.records.length).toBeLessThanOrEqual(3);
        expect(batch.headers['x-gateway-batch-size']).toBe(String(batch.records.length));
        expect(batch.headers['x-gateway-logs-schema-version']).toBe('1');
      }
      // The first batch was refused twice (503), then sent again with backoff (300 ms, 600 ms):
      // the same records (and any that came meanwhile, up to the batch size), until accepted.
      const [first, second, third] = ingest;
      expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
      const idsOf = (b: (typeof ingest)[number]) => b.records.map((r) => r.id);
      expect(idsOf(second).slice(0, first.records.length)).toEqual(idsOf(first));
      expect(idsOf(third).slice(0, second.records.length)).toEqual(idsOf(second));
      expect(second.at - first.at).toBeGreaterThanOrEqual(280);
      expect(third.at - second.at).toBeGreaterThanOrEqual(580);
      // Accepted once each, and as stored.
      const delivered = accepted().flatMap((b) => b.records);
      expect(delivered.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
      const json = delivered.find((r) => r.request_id === ids.json);
      expect(json).toEqual(byRequest('json'));
    });

    it('the receiver refuses a tampered batch (the signature covers the body)', async () => {
      const good = receiver.batches.find((b) => b.status === 200)!;
      const response = await fetch(`${receiver.url}/ingest`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-ndjson',
          authorization: SIEM_AUTH,
          'x-gateway-signature': good.headers['x-gateway-signature'] as string,
        },
        body: `${JSON.stringify({ ...good.records[0], status: 200, cost_usd: 0 })}\n`,
      });
      expect(response.status).toBe(401);
      expect(receiver.refused).toEqual(['signature']);
    });

    it('gives up a batch after maxAttempts and counts its records as dropped', async () => {
      const dropped = await until('siem-refused to give up every record', async () => {
        const value = metricValue(await metrics(), 'groq_gateway_request_logs_dropped_total', {
          sink: 'siem-refused',
          reason: 'gave_up',
        });
        // The gave_up series exists once a batch was first given up.
        return (value ?? 0) >= 12 ? value : undefined;
      });
      expect(dropped).toBe(12);
      const text = await metrics();
      expect(
        metricValue(text, 'groq_gateway_request_logs_batches_failed_total', {
          sink: 'siem-refused',
        }),
      ).toBeGreaterThanOrEqual(2);
      expect(
        metricValue(text, 'groq_gateway_request_logs_written_total', { sink: 'siem-refused' }),
      ).toBe(0);
    });
  });

  describe('dead sinks', () => {
    it('never slow a call: each took far less than the dead sinks’ 60 s timeout', () => {
      expect(latenciesMs).toHaveLength(12);
      // A call that waited on a sink would take its timeout; these took what the emulator took.
      expect(Math.max(...latenciesMs)).toBeLessThan(5_000);
      expect(hole.connections()).toBeGreaterThanOrEqual(3);
    });

    it.each(DEAD_SINKS)(
      '%s: its queue holds what fits and every other record is counted as dropped',
      async (sink) => {
        const text = await metrics();
        expect(metricValue(text, 'groq_gateway_request_logs_written_total', { sink })).toBe(0);
        expect(metricValue(text, 'groq_gateway_request_logs_queue_length', { sink })).toBe(
          DEAD_QUEUE,
        );
        expect(
          metricValue(text, 'groq_gateway_request_logs_dropped_total', {
            sink,
            reason: 'queue_full',
          }),
        ).toBe(records.length - DEAD_QUEUE);
        expect(
          metricValue(text, 'groq_gateway_request_logs_lag_seconds', { sink }),
        ).toBeGreaterThan(0);
        // The live sinks lost nothing.
        for (const live of ['store', 's3', 'otel', 'siem'])
          expect(
            metricValue(text, 'groq_gateway_request_logs_dropped_total', {
              sink: live,
              reason: 'queue_full',
            }),
          ).toBe(0);
      },
    );

    it('on SIGTERM the dead sinks cost at most the grace, and their records are counted lost', async () => {
      const signalled = Date.now();
      const code = await stack.gateway.stop('SIGTERM');
      expect(code).toBe(0);
      // SHUTDOWN_GRACE_MS=2000 (and no drain delay): not the sinks' 60 s.
      expect(Date.now() - signalled).toBeLessThan(15_000);
      for (const sink of DEAD_SINKS)
        expect(stack.gateway.output()).toContain(
          `request logs: ${DEAD_QUEUE} record(s) for ${sink} not written before exit`,
        );
      const status = await adminGet(url, '/admin/logs').catch(() => ({ status: 0 }));
      expect(status.status).toBe(0);
    });
  });
});
