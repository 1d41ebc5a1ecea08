import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_SCHEMA_VERSION, type LogRecord } from '../../../src/request-logs/log-record';
import type { LogStore } from '../../../src/request-logs/store/log-store';
import { toRow } from '../../../src/request-logs/store/row-mapping';
import { ADMIN_KEY } from './governance-fixtures';

export interface Page {
  data: LogRecord[];
  next_cursor: string | null;
}

/** GET on the admin API with the admin key; status and JSON. */
export async function adminGet<T = Record<string, unknown>>(
  baseUrl: string,
  path: string,
  key: string | null = ADMIN_KEY,
): Promise<{ status: number; json: T; headers: Headers }> {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as T };
}

export async function logs(baseUrl: string, query = ''): Promise<Page> {
  const { status, json } = await adminGet<Page>(baseUrl, `/admin/logs${query ? `?${query}` : ''}`);
  if (status !== 200)
    throw new Error(`GET /admin/logs?${query} answered ${status}: ${JSON.stringify(json)}`);
  return json;
}

/** Waits until the store answers at least `count` records for the query. */
export async function waitForLogs(
  baseUrl: string,
  count: number,
  query = 'limit=1000',
  timeoutMs = 10_000,
): Promise<LogRecord[]> {
  const start = Date.now();
  for (;;) {
    // 503 for a moment after start-up, while the store opens.
    const { status, json: page } = await adminGet<Page>(baseUrl, `/admin/logs?${query}`);
    if (status === 200 && page.data.length >= count) return page.data;
    if (Date.now() - start > timeoutMs)
      throw new Error(
        `expected ${count} records for '${query}': ${status} ${JSON.stringify(page)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A plausible record, for seeding a store directly (large volumes, old times). */
export function sampleRecord(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    id: randomUUID(),
    schema_version: LOG_SCHEMA_VERSION,
    time: new Date().toISOString(),
    request_id: randomUUID(),
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    method: 'POST',
    path: '/v1/chat/completions',
    route: '/v1/chat/completions',
    api_family: 'chat',
    virtual_key_id: null,
    team_id: null,
    model_asked: 'groq/llama-3.3-70b-versatile',
    model: 'groq/llama-3.3-70b-versatile',
    model_route: null,
    key_id: 'key-1',
    status: 200,
    error_code: null,
    attempts: 1,
    retries: 0,
    fallbacks: 0,
    fallback_used: false,
    stream: false,
    latency_ms: 12.5,
    time_to_first_token_ms: null,
    prompt_tokens: 10,
    cached_tokens: 0,
    completion_tokens: 20,
    reasoning_tokens: 0,
    total_tokens: 30,
    cost_usd: null,
    guardrails: null,
    client_address: null,
    user_agent: 'seed',
    request_body: null,
    response_body: null,
    ...overrides,
  };
}

/** Writes records straight into a gateway's SQLite file (the gateway made the schema). */
export function seedSqlite(dataDir: string, records: Iterable<LogRecord>): void {
  const db = new Database(join(dataDir, 'requests.sqlite'));
  try {
    const insert = db.prepare(
      `insert into request_logs (${COLUMNS.join(',')}) values (${COLUMNS.map((c) => `@${c}`).join(',')})`,
    );
    db.transaction(() => {
      for (const record of records) insert.run(toRow(record));
    })();
  } finally {
    db.close();
  }
}

/**
 * `count` records made inside SQLite by one statement (a recursive CTE): fast enough to seed a
 * 100k-record store in a test. Times step by `stepMs` from `startMs`; each carries `body`.
 */
export function seedSqliteVolume(
  dataDir: string,
  count: number,
  startMs: number,
  stepMs: number,
  body: string,
): void {
  const db = new Database(join(dataDir, 'requests.sqlite'));
  try {
    const sample = toRow(sampleRecord({ request_body: body }));
    const fixed = COLUMNS.filter((c) => !['id', 'request_id', 'time_ms'].includes(c));
    db.prepare(
      `with recursive n(i) as (select 0 union all select i + 1 from n where i < ${count - 1})
       insert into request_logs (id, request_id, time_ms, ${fixed.join(',')})
       select lower(hex(randomblob(16))), 'seed-' || i, @start + i * @step, ${fixed.map((c) => `@${c}`).join(',')}
       from n`,
    ).run({
      ...Object.fromEntries(fixed.map((c) => [c, sample[c as keyof typeof sample]])),
      start: startMs,
      step: stepMs,
    });
  } finally {
    db.close();
  }
}

const COLUMNS = Object.keys(toRow(sampleRecord()));

/** Peak resident memory of a process (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error('no VmHWM in /proc/<pid>/status');
  return Number(match[1]) * 1024;
}

export function currentRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error('no VmRSS in /proc/<pid>/status');
  return Number(match[1]) * 1024;
}

/**
 * The sum of every series of `name` whose labels include `labels` (so `{sink: 'store'}` counts
 * each drop reason), or undefined when no such series exists: a series that vanished or was
 * renamed fails a check instead of reading 0.
 */
export function metricValue(
  metrics: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const lines = metrics
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return lines.length === 0
    ? undefined
    : lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

const DAY_MS = 86_400_000;

/**
 * Records and a retention policy where every rule decides some row: a key's 90 days keeping rows
 * past the global 30 (every other one of 12 old rows), a team's 60 days keeping its 40-day-old
 * rows and not its 70-day-old ones (except one of its key's), a key's 10 days taking a row the
 * global days would keep. `kept` is what must be left, `deleted` how many go.
 */
function retentionScenario(now: number): {
  records: LogRecord[];
  policy: { days: number; byVirtualKey: Record<string, number>; byTeam: Record<string, number> };
  kept: LogRecord[];
  deleted: number;
} {
  const at = (ms: number, overrides: Partial<LogRecord> = {}) =>
    sampleRecord({ time: new Date(ms).toISOString(), ...overrides });
  const old = now - 40 * DAY_MS;
  const keyKept = Array.from({ length: 6 }, (_, i) =>
    at(old + 2 * i, { virtual_key_id: 'vk-long' }),
  );
  const globalGone = Array.from({ length: 6 }, (_, i) => at(old + 2 * i + 1));
  const teamKept = Array.from({ length: 5 }, (_, i) => at(old + 100 + i, { team_id: 'audit' }));
  const teamKeyKept = at(now - 70 * DAY_MS, { team_id: 'audit', virtual_key_id: 'vk-long' });
  const teamGone = Array.from({ length: 3 }, (_, i) =>
    at(now - 70 * DAY_MS + 1 + i, { team_id: 'audit' }),
  );
  const shortKeyGone = at(now - 20 * DAY_MS, { virtual_key_id: 'vk-short' });
  const recent = Array.from({ length: 3 }, () => at(now - DAY_MS));
  return {
    records: [
      ...keyKept,
      ...globalGone,
      ...teamKept,
      teamKeyKept,
      ...teamGone,
      shortKeyGone,
      ...recent,
    ],
    policy: { days: 30, byVirtualKey: { 'vk-long': 90, 'vk-short': 10 }, byTeam: { audit: 60 } },
    kept: [...keyKept, ...teamKept, teamKeyKept, ...recent],
    deleted: globalGone.length + teamGone.length + 1,
  };
}

/**
 * Applies retentionScenario's policy to a store holding its records: exactly the rows it should
 * go, the rest kept row for row, and a second pass finds nothing (nothing deleted twice).
 */
export async function expectRetentionScenario(store: LogStore): Promise<void> {
  const now = Date.now();
  const { records, policy, kept, deleted } = retentionScenario(now);
  await store.insert(records);
  expect(await store.applyRetention(policy, now)).toBe(deleted);
  const left = await store.page({ filter: {}, limit: 100 });
  expect(left.data.map((r) => r.id).sort()).toEqual(kept.map((r) => r.id).sort());
  expect(await store.applyRetention(policy, now)).toBe(0);
}
