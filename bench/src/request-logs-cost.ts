import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { interleavedPairs, type PairSide, type Target, BENCH_MODEL } from './measure';
import { startPostgres } from './postgres-server';

/** Throughput of one gateway in the logs-on / logs-off comparison (medians of the rounds). */
export type LogsSide = PairSide;

export interface RequestLogsBench {
  /** The default store (SQLite) on, and LOGS_STORE=off, measured in interleaved rounds. */
  on: LogsSide;
  off: LogsSide;
  /**
   * Medians of each round's on/off ratios (the two sides of a round ran back to back, so a load
   * that came and went on a shared machine touches both): less noisy than the ratio of medians.
   */
  paired: { throughputRatio: number; cpuRatio?: number; rounds: number };
  /**
   * The logs-on gateway's own counters once its queue was empty after the rounds: chat calls it
   * answered, records its store wrote and dropped. Written = answered shows the throughput above
   * was not bought by losing records.
   */
  records?: { answered: number; written: number; dropped: number };
  /**
   * Each store alone: batches of 500 written one at a time, as the queue does; records per second
   * of wall time, and the writing process's CPU per record (for Postgres the server's is not in it).
   */
  storeRecordsPerSecond: {
    sqlite: StoreRate;
    postgres?: StoreRate;
    records: number;
  };
}

/**
 * Full throughput of the gateway with its default request log store and of one with
 * LOGS_STORE=off, in interleaved rounds (the same load, the same machine, the same minute), with
 * each process's CPU per request from /proc.
 */
export async function logsOnOff(
  on: Target,
  off: Target,
  plan: { rounds: number; seconds: number },
): Promise<Pick<RequestLogsBench, 'on' | 'off' | 'paired' | 'records'>> {
  const { a, b, paired } = await interleavedPairs(on, off, plan);
  return { on: a, off: b, paired, records: await recordCounts(on) };
}

/**
 * A gateway's answered / written / dropped counts, read from /metrics once the store's queue is
 * empty (at most 15 s); undefined when /metrics does not answer.
 */
async function recordCounts(target: Target): Promise<RequestLogsBench['records']> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = await metricsText(target.url);
    if (text === undefined) return undefined;
    const queued = sumOf(text, 'groq_gateway_request_logs_queue_length', 'sink="store"');
    if (queued === 0 || Date.now() > deadline) {
      return {
        answered: sumOf(text, 'groq_gateway_requests_total', 'route="/v1/chat/completions"'),
        written: sumOf(text, 'groq_gateway_request_logs_written_total', 'sink="store"'),
        dropped: sumOf(text, 'groq_gateway_request_logs_dropped_total', 'sink="store"'),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function metricsText(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/metrics`);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** The sum of a metric's series whose labels include `label` (Prometheus text format). */
function sumOf(text: string, name: string, label: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(label))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

export interface StoreRate {
  recordsPerSecond: number;
  cpuMicrosPerRecord: number;
}

interface StoreLike {
  migrate(): Promise<void>;
  insert(records: readonly object[]): Promise<void>;
  count(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Records per second the built gateway's store (dist/) sustains: `records` records in batches of
 * 500 (the queue's default batch), one batch at a time (the queue writes one at a time), into
 * SQLite on disk and, when PostgreSQL is installed, a real server started here.
 */
export async function storeThroughput(
  root: string,
  records: number,
): Promise<RequestLogsBench['storeRecordsPerSecond']> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { LogStore } = require(join(root, 'dist/request-logs/store/log-store')) as {
    LogStore: new (connections: unknown) => StoreLike;
  };
  const { newRecordId } = require(join(root, 'dist/request-logs/record-id')) as {
    newRecordId(): string;
  };
  const connect = require(join(root, 'dist/request-logs/store/connect')) as {
    openSqlite(dir: string, options?: { inThread?: boolean }): unknown;
    openPostgres(url: string): unknown;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const dir = mkdtempSync(join(tmpdir(), 'bench-logs-'));
  try {
    const sqlite = await measureStore(new LogStore(connect.openSqlite(dir)), records, newRecordId);
    let postgres: StoreRate | undefined;
    try {
      const server = await startPostgres();
      try {
        postgres = await measureStore(
          new LogStore(connect.openPostgres(server.url)),
          records,
          newRecordId,
        );
      } finally {
        await server.stop();
      }
    } catch (error) {
      process.stderr.write(`[bench] Postgres store not measured: ${(error as Error).message}\n`);
    }
    return { sqlite, postgres, records };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureStore(
  store: StoreLike,
  records: number,
  newRecordId: () => string,
): Promise<StoreRate> {
  await store.migrate();
  const batchSize = 500;
  const start = Date.now() - records * 10;
  const batches: object[][] = [];
  for (let i = 0; i < records; i += batchSize)
    batches.push(
      Array.from({ length: Math.min(batchSize, records - i) }, (_, j) =>
        benchRecord(start + (i + j) * 10, newRecordId()),
      ),
    );
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  for (const batch of batches) await store.insert(batch);
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - began) / 1000;
  const stored = await store.count();
  await store.close();
  if (stored !== records) throw new Error(`store holds ${stored} records, wrote ${records}`);
  return {
    recordsPerSecond: records / seconds,
    cpuMicrosPerRecord: (cpu.user + cpu.system) / records,
  };
}

/**
 * A record shaped like a chat call's (no bodies: LOGS_BODIES=off is the default), with the id the
 * gateway draws (time-ordered).
 */
function benchRecord(timeMs: number, id: string): object {
  return {
    id,
    schema_version: 1,
    time: new Date(timeMs).toISOString(),
    request_id: randomUUID(),
    trace_id: randomUUID().replace(/-/g, ''),
    method: 'POST',
    path: '/v1/chat/completions',
    route: '/v1/chat/completions',
    api_family: 'chat',
    virtual_key_id: 'team-a',
    team_id: 'platform',
    model_asked: `groq/${BENCH_MODEL}`,
    model: `groq/${BENCH_MODEL}`,
    model_route: null,
    key_id: 'key-1',
    status: 200,
    error_code: null,
    attempts: 1,
    retries: 0,
    fallbacks: 0,
    fallback_used: false,
    stream: false,
    latency_ms: 212.345,
    time_to_first_token_ms: null,
    prompt_tokens: 42,
    cached_tokens: 0,
    completion_tokens: 180,
    reasoning_tokens: 0,
    total_tokens: 222,
    cost_usd: 0.000167,
    guardrails: [{ policy: 'pii', stage: 'input', outcome: 'pass' }],
    client_address: null,
    user_agent: 'OpenAI/JS 6.9.1',
    request_body: null,
    response_body: null,
  };
}

/** The Markdown section for BENCHMARKS.md and the bench:logs output. */
export function renderLogsSection(result: RequestLogsBench): string {
  const { on, off } = result;
  const pct = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;
  const cpu = (side: LogsSide) =>
    side.cpuMicrosPerRequest === undefined ? 'n/a' : String(Math.round(side.cpuMicrosPerRequest));
  const cpuCost =
    on.cpuMicrosPerRequest !== undefined && off.cpuMicrosPerRequest !== undefined
      ? `${Math.round(on.cpuMicrosPerRequest - off.cpuMicrosPerRequest)} µs (${pct(on.cpuMicrosPerRequest / off.cpuMicrosPerRequest - 1)})`
      : 'n/a';
  const stores = result.storeRecordsPerSecond;
  return [
    '## Request logs: the cost of the default store on the hot path',
    '',
    'The same gateway with the default request log store (SQLite, `LOGS_STORE` unset) and with `LOGS_STORE=off`, full throughput in interleaved rounds (autocannon, 50 connections). Target: at most 5 % less throughput.',
    '',
    '| gateway | req/s | CPU µs/req | p50 ms | p99 ms | errors |',
    '| --- | --- | --- | --- | --- | --- |',
    `| logs on (SQLite) | ${Math.round(on.requestsPerSecond)} | ${cpu(on)} | ${on.p50} | ${on.p99} | ${on.errors} |`,
    `| LOGS_STORE=off | ${Math.round(off.requestsPerSecond)} | ${cpu(off)} | ${off.p50} | ${off.p99} | ${off.errors} |`,
    '',
    `Logs on vs off, median of the ${result.paired.rounds} rounds' paired ratios: throughput ${pct(result.paired.throughputRatio - 1)}, CPU per request ${result.paired.cpuRatio === undefined ? 'n/a' : pct(result.paired.cpuRatio - 1)}. Medians of each side above: CPU per request ${cpuCost}.`,
    ...(result.records
      ? [
          '',
          `The logs-on gateway afterwards (its queue empty): ${result.records.answered} chat calls answered, ${result.records.written} records written, ${result.records.dropped} dropped.`,
        ]
      : []),
    '',
    `Each store alone, ${stores.records} records in batches of 500 written one after another (as the queue writes them):`,
    '',
    '| store | records/s (wall, this machine) | CPU µs per record (gateway process) |',
    '| --- | --- | --- |',
    rateRow('SQLite (WAL, synchronous=NORMAL)', stores.sqlite),
    ...(stores.postgres
      ? [rateRow('PostgreSQL 15, local, fsync off (as in the tests)', stores.postgres)]
      : []),
    '',
  ].join('\n');
}

function rateRow(name: string, rate: StoreRate): string {
  return `| ${name} | ${Math.round(rate.recordsPerSecond)} | ${rate.cpuMicrosPerRecord.toFixed(1)} |`;
}
