import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { cpuMicros } from './processes';

/** One way to reach the upstream: directly, or through a proxy under test. */
export interface Target {
  name: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  model: string;
  pid?: number;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  samples: number;
  errors: number;
}

export interface ThroughputSummary {
  requestsPerSecond: number;
  /** Requests answered in the run. */
  requests: number;
  /** The target process's CPU time per answered request, in microseconds, from /proc. */
  cpuMicrosPerRequest?: number;
  p50: number;
  p99: number;
  errors: number;
}

/** A request that hangs is an error, never a benchmark that never ends. */
const TIMEOUTS = { headersTimeout: 15_000, bodyTimeout: 15_000 };

/**
 * The model every benchmark asks for: one Groq serves today (a retired id such as
 * llama-3.3-70b-versatile would measure the gateway's retirement path on every request: the
 * lifecycle decision and four more headers, Deprecation, Sunset, Link and the successor).
 */
export const BENCH_MODEL = 'moonshotai/kimi-k2-instruct-0905';

export function chatBody(model: string, content: string, stream = false): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content }],
    max_tokens: 64,
    temperature: 0.2,
    ...(stream && { stream: true }),
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function summarize(samples: number[], errors: number): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    samples: samples.length,
    errors,
  };
}

/**
 * Sequential keep-alive requests, one at a time, timed with performance.now() (autocannon's
 * histogram has whole-millisecond resolution, too coarse for sub-millisecond overheads).
 */
export async function sequentialLatencies(
  target: Target,
  count: number,
  content = 'Say hello',
): Promise<{ samples: number[]; errors: number }> {
  const pool = new Pool(target.url, { connections: 1, pipelining: 1, ...TIMEOUTS });
  const body = chatBody(target.model, content);
  const samples: number[] = [];
  let errors = 0;
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      try {
        const response = await pool.request({
          method: 'POST',
          path: target.path,
          headers: { ...target.headers, 'content-type': 'application/json' },
          body,
        });
        await response.body.text();
        if (response.statusCode !== 200) errors++;
        else samples.push(performance.now() - started);
      } catch {
        errors++;
      }
    }
  } finally {
    await pool.close();
  }
  return { samples, errors };
}

/**
 * Streams one at a time: time to the first body bytes and to the end, and the target process's CPU
 * over the run per stream completed.
 */
export async function streamTimings(
  target: Target,
  count: number,
  content: string,
): Promise<{ firstByte: number[]; total: number[]; errors: number; cpuMicrosPerStream?: number }> {
  const cpuBefore = cpuMicros(target.pid);
  const pool = new Pool(target.url, { connections: 1, ...TIMEOUTS });
  const body = chatBody(target.model, content, true);
  const firstByte: number[] = [];
  const total: number[] = [];
  let errors = 0;
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      try {
        const response = await pool.request({
          method: 'POST',
          path: target.path,
          headers: {
            ...target.headers,
            'content-type': 'application/json',
            accept: 'text/event-stream',
          },
          body,
        });
        let first: number | undefined;
        let text = '';
        for await (const chunk of response.body) {
          first ??= performance.now();
          text += chunk.toString();
        }
        if (response.statusCode !== 200 || !text.includes('[DONE]')) errors++;
        else {
          firstByte.push((first ?? performance.now()) - started);
          total.push(performance.now() - started);
        }
      } catch {
        errors++;
      }
    }
  } finally {
    await pool.close();
  }
  return { firstByte, total, errors, cpuMicrosPerStream: cpuPer(cpuBefore, target, total.length) };
}

/** autocannon against one target: full throughput, or a fixed overall rate. */
export async function load(
  target: Target,
  options: {
    connections: number;
    durationSeconds: number;
    overallRate?: number;
    /** The user message (default `Say hello`). */
    content?: string;
    stream?: boolean;
  },
): Promise<ThroughputSummary> {
  const cpuBefore = cpuMicros(target.pid);
  const result = await autocannon({
    url: `${target.url}${target.path}`,
    method: 'POST',
    headers: { ...target.headers, 'content-type': 'application/json' },
    body: chatBody(target.model, options.content ?? 'Say hello', options.stream),
    connections: options.connections,
    duration: options.durationSeconds,
    overallRate: options.overallRate,
  });
  const requests = result.requests.total;
  return {
    requestsPerSecond: result.requests.average,
    requests,
    cpuMicrosPerRequest: cpuPer(cpuBefore, target, requests),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** The target's CPU since `before` (cpuMicros), per one of `count` answers; undefined without. */
function cpuPer(before: number | undefined, target: Target, count: number): number | undefined {
  const after = cpuMicros(target.pid);
  return before !== undefined && after !== undefined && count > 0
    ? (after - before) / count
    : undefined;
}

/** Many streams open at once: how many finished well. */
export async function concurrentStreams(
  target: Target,
  count: number,
  content: string,
): Promise<{ ok: number; errors: number }> {
  const pool = new Pool(target.url, { connections: count, ...TIMEOUTS });
  const body = chatBody(target.model, content, true);
  let ok = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      try {
        const response = await pool.request({
          method: 'POST',
          path: target.path,
          headers: { ...target.headers, 'content-type': 'application/json' },
          body,
        });
        const text = await response.body.text();
        if (response.statusCode === 200 && text.includes('[DONE]')) ok++;
        else errors++;
      } catch {
        errors++;
      }
    }),
  );
  await pool.close();
  return { ok, errors };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2
    ? sorted[(sorted.length - 1) / 2]
    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

/** The median, or undefined when there are no values (a figure a run could not take). */
export function medianIfAny(values: readonly number[]): number | undefined {
  return values.length > 0 ? median(values) : undefined;
}

/** One side of an A/B comparison: medians of its rounds. */
export interface PairSide {
  requestsPerSecond: number;
  cpuMicrosPerRequest?: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Medians of each round's a/b ratios, the two sides of a round having run back to back. */
export interface PairedRatios {
  throughputRatio: number;
  cpuRatio?: number;
  rounds: number;
}

/**
 * Full throughput of two targets in interleaved rounds (ABAB, then BABA order alternating, so
 * neither always gets the quieter moment), autocannon with 50 connections, with each process's
 * CPU per request from /proc. On a shared machine the paired ratios (a round's two sides ran
 * within seconds of each other) are less noisy than the ratio of the medians.
 */
export async function interleavedPairs(
  a: Target,
  b: Target,
  plan: {
    rounds: number;
    seconds: number;
    connections?: number;
    /** Called before each measured round and after it, with the round's figures. */
    around?: {
      before(target: Target): Promise<void>;
      after(target: Target, result: ThroughputSummary): Promise<void>;
    };
  },
): Promise<{ a: PairSide; b: PairSide; paired: PairedRatios }> {
  const connections = plan.connections ?? 50;
  // Warm both first (JIT, connection pools, stores): not measured.
  for (const target of [a, b]) await load(target, { connections, durationSeconds: 2 });
  const aRuns: ThroughputSummary[] = [];
  const bRuns: ThroughputSummary[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const order: Array<[Target, ThroughputSummary[]]> =
      round % 2 === 0
        ? [
            [a, aRuns],
            [b, bRuns],
          ]
        : [
            [b, bRuns],
            [a, aRuns],
          ];
    for (const [target, runs] of order) {
      await plan.around?.before(target);
      const result = await load(target, { connections, durationSeconds: plan.seconds });
      await plan.around?.after(target, result);
      runs.push(result);
    }
  }
  const side = (results: ThroughputSummary[]): PairSide => {
    const cpu = results.flatMap((r) => r.cpuMicrosPerRequest ?? []);
    return {
      requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
      cpuMicrosPerRequest: medianIfAny(cpu),
      p50: median(results.map((r) => r.p50)),
      p99: median(results.map((r) => r.p99)),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
    };
  };
  const cpuRatios = aRuns.flatMap((r, i) => {
    const base = bRuns[i]?.cpuMicrosPerRequest;
    return r.cpuMicrosPerRequest === undefined || !base ? [] : [r.cpuMicrosPerRequest / base];
  });
  return {
    a: side(aRuns),
    b: side(bRuns),
    paired: {
      throughputRatio: median(
        aRuns.map((r, i) => r.requestsPerSecond / (bRuns[i]?.requestsPerSecond || Number.NaN)),
      ),
      cpuRatio: cpuRatios.length > 0 ? median(cpuRatios) : undefined,
      rounds: aRuns.length,
    },
  };
}
