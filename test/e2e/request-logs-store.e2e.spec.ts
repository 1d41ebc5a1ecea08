import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import {
  currentRssBytes,
  logs,
  metricValue,
  peakRssBytes,
  sampleRecord,
  seedSqlite,
  seedSqliteVolume,
  waitForLogs,
} from './support/request-logs';
import { GATEWAY_KEY, waitFor } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
const DAY = 86_400_000;
const VIRTUAL_KEY = 'vk-logs-store-secret-00000000000';

function chat(url: string, content = 'hello', headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${VIRTUAL_KEY}`,
      ...headers,
    },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }] }),
  });
}

describe('request logs: the SQLite store under volume, retention, overflow and shutdown', () => {
  let emulator: GroqEmulator;
  let upstream: string;
  const dirs: string[] = [];
  const gateways: GatewayProcess[] = [];

  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-logs-'));
    dirs.push(dir);
    return dir;
  };
  const gateway = async (env: Record<string, string>) => {
    const started = await startGateway({
      GROQ_BASE_URL: upstream,
      GROQ_API_KEY: GATEWAY_KEY,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      LOGS_FLUSH_INTERVAL_MS: '20',
      VIRTUAL_KEY,
      GATEWAY_CONFIG: writeGatewayConfig(
        'governance: { virtualKeys: [{ id: store-tests, keyEnv: VIRTUAL_KEY }] }',
      ).path,
      ...env,
    });
    gateways.push(started);
    await waitFor(() => started.output().includes('store ready'), 10_000);
    return started;
  };

  beforeAll(async () => {
    emulator = new GroqEmulator({ keys: [GATEWAY_KEY] });
    upstream = await emulator.start();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop('SIGKILL')));
    await emulator.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('streams a 100k-record export in both formats without holding it in memory, and applies retention at start-up', async () => {
    const dir = dataDir();
    // The gateway makes the schema; the records are then written straight into the file.
    await (await gateway({ DATA_DIR: dir })).stop();
    const now = Date.now();
    const body = JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'x'.repeat(400) }],
    });
    seedSqliteVolume(dir, 100_000, now - DAY, 100, body);
    const old = (days: number, overrides = {}) =>
      sampleRecord({
        time: new Date(now - days * DAY).toISOString(),
        user_agent: 'retention',
        ...overrides,
      });
    seedSqlite(dir, [
      old(40),
      old(10),
      old(3, { virtual_key_id: 'short-lived' }),
      old(1, { virtual_key_id: 'short-lived' }),
      old(40, { virtual_key_id: 'long-lived' }),
      old(40, { team_id: 'audit' }),
      old(100, { team_id: 'audit' }),
    ]);
    const config = writeGatewayConfig(`
governance: { virtualKeys: [{ id: store-tests, keyEnv: VIRTUAL_KEY }] }
logs:
  retention:
    days: 30
    virtualKeys: { short-lived: 2, long-lived: 60 }
    teams: { audit: 90 }
`);
    // A heap capped well below the export's size: holding it would fail, not just grow.
    const g = await gateway({
      DATA_DIR: dir,
      GATEWAY_CONFIG: config.path,
      NODE_OPTIONS: '--max-old-space-size=64',
    });
    await waitFor(() => g.output().includes('retention deleted 3 record(s)'), 10_000);
    const kept = (await logs(g.url, 'q=retention')).data.map((r) => [
      Math.round((now - Date.parse(r.time)) / DAY),
      r.virtual_key_id ?? r.team_id,
    ]);
    // Newest first; the two of 40 days ago in either order.
    expect(kept.slice(0, 2)).toEqual([
      [1, 'short-lived'],
      [10, null],
    ]);
    expect(kept.slice(2).sort()).toEqual([
      [40, 'audit'],
      [40, 'long-lived'],
    ]);

    const pid = g.process.pid!;
    for (const format of ['ndjson', 'csv']) {
      const rssBefore = currentRssBytes(pid);
      const response = await fetch(
        `${g.url}/admin/logs/export?format=${format}&from=${now - 2 * DAY}`,
        {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        },
      );
      expect(response.status).toBe(200);
      let bytes = 0;
      let lines = 0;
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        lines += (decoder.decode(chunk, { stream: true }).match(/\n/g) ?? []).length;
      }
      // The 100k seeded records and the one of 1 day ago; CSV adds its header line.
      expect(lines).toBe(100_001 + (format === 'csv' ? 1 : 0));
      expect(bytes).toBeGreaterThan(format === 'csv' ? 75_000_000 : 100_000_000);
      const growth = peakRssBytes(pid) - rssBefore;
      // More than the whole heap went out; the gateway's peak memory grew by a fraction of it.
      expect(growth).toBeLessThan(48 * 1024 * 1024);
    }
  }, 120_000);

  it('drops records when the queue is full, counts them, and writes the rest once the store is back', async () => {
    const dir = dataDir();
    const g = await gateway({ DATA_DIR: dir, LOGS_QUEUE_SIZE: '10' });
    // Another process holds the write lock: the store is "dead" for the gateway.
    const blocker = new Database(join(dir, 'requests.sqlite'));
    blocker.exec('BEGIN EXCLUSIVE');
    for (let i = 0; i < 25; i++) expect((await chat(g.url, `call ${i}`)).status).toBe(200);
    const metrics = await (await fetch(`${g.url}/metrics`)).text();
    expect(
      metricValue(metrics, 'groq_gateway_request_logs_dropped_total', {
        sink: 'store',
        reason: 'queue_full',
      }),
    ).toBe(15);
    expect(metricValue(metrics, 'groq_gateway_request_logs_queue_length', { sink: 'store' })).toBe(
      10,
    );
    // The writer thread answers a batch asynchronously: its failure (the lock, after SQLite's
    // 50 ms busy timeout) is counted a moment after the calls, not before the next one.
    let failed = 0;
    for (const started = Date.now(); failed === 0 && Date.now() - started < 5_000;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      failed =
        metricValue(
          await (await fetch(`${g.url}/metrics`)).text(),
          'groq_gateway_request_logs_batches_failed_total',
          { sink: 'store' },
        ) ?? 0;
    }
    expect(failed).toBeGreaterThan(0);
    blocker.exec('COMMIT');
    blocker.close();
    const records = await waitForLogs(g.url, 10, 'limit=100', 20_000);
    expect(records.map((r) => r.request_body)).toHaveLength(10);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await logs(g.url, 'limit=100')).data).toHaveLength(10);
  }, 40_000);

  it('LOGS_ON_OVERFLOW=block holds admission while the queue is full and loses nothing', async () => {
    const dir = dataDir();
    const g = await gateway({ DATA_DIR: dir, LOGS_QUEUE_SIZE: '3', LOGS_ON_OVERFLOW: 'block' });
    const blocker = new Database(join(dir, 'requests.sqlite'));
    blocker.exec('BEGIN EXCLUSIVE');
    for (let i = 0; i < 3; i++) expect((await chat(g.url, `call ${i}`)).status).toBe(200);
    let answered = false;
    const held = chat(g.url, 'the fourth').then((response) => {
      answered = true;
      return response.status;
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(answered).toBe(false);
    // Probes and the admin API are never held.
    expect((await fetch(`${g.url}/health/live`)).status).toBe(200);
    blocker.exec('COMMIT');
    blocker.close();
    expect(await held).toBe(200);
    const records = await waitForLogs(g.url, 4, 'limit=100', 20_000);
    expect(records).toHaveLength(4);
    const metrics = await (await fetch(`${g.url}/metrics`)).text();
    expect(metricValue(metrics, 'groq_gateway_request_logs_dropped_total', { sink: 'store' })).toBe(
      0,
    );
  }, 40_000);

  it('flushes the queue on SIGTERM: records of calls in flight at the signal are stored', async () => {
    const dir = dataDir();
    const g = await gateway({
      DATA_DIR: dir,
      // Nothing is written before the shutdown: no batch fills, no interval passes.
      LOGS_FLUSH_INTERVAL_MS: '600000',
      SHUTDOWN_GRACE_MS: '10000',
    });
    for (let i = 0; i < 5; i++) expect((await chat(g.url, `call ${i}`)).status).toBe(200);
    expect((await logs(g.url)).data).toEqual([]);
    const inFlight = fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${VIRTUAL_KEY}`,
        'x-request-id': 'in-flight-at-sigterm',
      },
      body: JSON.stringify({
        model: MODEL,
        stream: true,
        messages: [
          { role: 'user', content: '[fault:latency=300,150] a few words to stream slowly' },
        ],
      }),
    }).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 150));
    const exit = g.stop('SIGTERM');
    expect(await inFlight).toContain('[DONE]');
    expect(await exit).toBe(0);
    expect(g.output()).toContain('request logs: queue flushed');
    const db = new Database(join(dir, 'requests.sqlite'), { readonly: true });
    const rows = db.prepare('select request_id, status, stream from request_logs').all() as {
      request_id: string;
      status: number;
      stream: number;
    }[];
    db.close();
    expect(rows).toHaveLength(6);
    expect(rows.find((r) => r.request_id === 'in-flight-at-sigterm')).toEqual({
      request_id: 'in-flight-at-sigterm',
      status: 200,
      stream: 1,
    });
  }, 30_000);
});
