import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_MODEL,
  chatBody,
  interleavedPairs,
  median,
  sequentialLatencies,
  summarize,
  type PairSide,
  type PairedRatios,
  type Target,
} from './measure';
import Redis from 'ioredis';
import { writeBenchmarksSection } from './benchmarks-file';
import { gatewayEnvironment, startEmulator, startService, type Service } from './processes';
import { startRedisServer, type RedisServer } from './redis-server';

/**
 * `npm run bench:reservation`: what issue 13's reservations cost. One gateway holds two virtual
 * keys: `reserving` has a budget and a tokens-per-minute limit (far too large to be reached, so
 * every call is admitted), so each call's worst case is estimated, reserved at admission and
 * settled at its end; `plain` has no limits, so its calls go through the same admission (the
 * store counts them) but reserve nothing. The two keys are loaded in alternating rounds (ABAB,
 * BABA...) on the same process, with the memory store and then with a real redis-server
 * (REDIS_URL). `--smoke` runs one short pair of each so the harness cannot rot.
 */
const ROOT = join(__dirname, '..', '..');
const smoke = process.argv.includes('--smoke');
const plan = smoke
  ? { pairs: 1, seconds: 1, sequential: 20, sequentialRounds: 1 }
  : { pairs: 6, seconds: 5, sequential: 200, sequentialRounds: 3 };
const UPSTREAM_KEY = 'gsk_bench_key';
const RESERVING_KEY = 'vk-bench-reserving-0123456789abcdef';
const PLAIN_KEY = 'vk-bench-plain-0123456789abcdefghij';
const LISTENING = /(http:\/\/[\d.]+:\d+)/;
// Limits no bench can reach: every call is admitted, and every call reserves and settles.
const CONFIG = `
governance:
  onStoreFailure: closed
  virtualKeys:
    - id: reserving
      keyEnv: BENCH_RESERVING_KEY
      budget: { usd: 1000000, period: monthly }
      tokensPerMinute: 1000000000
    - { id: plain, keyEnv: BENCH_PLAIN_KEY }
`;

interface StoreResult {
  store: 'memory' | 'redis';
  reserving: PairSide;
  plain: PairSide;
  /** reserving / plain, medians of each pair's ratios. */
  paired: PairedRatios;
  /** Sequential keep-alive latency (ms), interleaved rounds. */
  sequential: { reserving: { p50: number; p99: number }; plain: { p50: number; p99: number } };
  /**
   * Redis's own time in commands per answered request (INFO commandstats, reset before each
   * round): medians of the rounds. Redis store only.
   */
  redisMicrosPerRequest?: { reserving: number; plain: number };
}

async function measureStore(
  store: StoreResult['store'],
  emulatorUrl: string,
  configPath: string,
  redis: RedisServer | undefined,
): Promise<StoreResult> {
  const gateway = await startService(
    `gateway (${store} store)`,
    [join(ROOT, 'dist/main.js')],
    {
      ...gatewayEnvironment(emulatorUrl, UPSTREAM_KEY),
      // The request log store is not what is measured here: off, so it adds no noise.
      LOGS_STORE: 'off',
      GATEWAY_CONFIG: configPath,
      BENCH_RESERVING_KEY: RESERVING_KEY,
      BENCH_PLAIN_KEY: PLAIN_KEY,
      ...(redis ? { REDIS_URL: redis.url } : {}),
    },
    LISTENING,
  );
  try {
    const target = (name: string, key: string): Target => ({
      name,
      url: gateway.url,
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      model: `groq/${BENCH_MODEL}`,
      pid: gateway.child.pid,
    });
    const reserving = target('reserving', RESERVING_KEY);
    const plain = target('plain', PLAIN_KEY);
    process.stderr.write(`[bench] ${store} store: full throughput, ${plan.pairs} pairs\n`);
    const redisTimes = { reserving: [] as number[], plain: [] as number[] };
    const client = redis ? new Redis(redis.url) : undefined;
    const { a, b, paired } = await interleavedPairs(reserving, plain, {
      rounds: plan.pairs,
      seconds: plan.seconds,
      around: client && {
        before: async () => {
          await client.config('RESETSTAT');
        },
        after: async (side, result) => {
          const micros = commandMicros(await client.info('commandstats'));
          if (result.requests > 0)
            redisTimes[side.name as 'reserving' | 'plain'].push(micros / result.requests);
        },
      },
    });
    client?.disconnect();
    process.stderr.write(`[bench] ${store} store: sequential latency\n`);
    const samples = { reserving: [] as number[], plain: [] as number[] };
    let errors = 0;
    for (let round = 0; round < plan.sequentialRounds; round++) {
      const order = round % 2 === 0 ? [reserving, plain] : [plain, reserving];
      for (const side of order) {
        const result = await sequentialLatencies(side, plan.sequential);
        samples[side.name as 'reserving' | 'plain'].push(...result.samples);
        errors += result.errors;
      }
    }
    const summary = (values: number[]) => {
      const s = summarize(values, 0);
      return { p50: round3(s.p50), p99: round3(s.p99) };
    };
    a.errors += errors;
    return {
      store,
      reserving: a,
      plain: b,
      paired,
      sequential: { reserving: summary(samples.reserving), plain: summary(samples.plain) },
      ...(redis && {
        redisMicrosPerRequest: {
          reserving: round3(median(redisTimes.reserving)),
          plain: round3(median(redisTimes.plain)),
        },
      }),
    };
  } finally {
    await gateway.stop();
  }
}

/** The sum of every command's time (µs) in `INFO commandstats`. */
function commandMicros(info: string): number {
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:.*?\busec=(\d+)/gm)) total += Number(match[1]);
  return total;
}

interface StoreLike {
  admit(request: object): Promise<{ admitted: boolean }>;
  record(usage: object): Promise<void>;
  close(): Promise<void>;
  /** Redis: resolves once connected (the store fails fast rather than queue commands). */
  ready?(timeoutMs: number): Promise<boolean>;
}

/** What one side of the store comparison costs: started before the calls, read after. */
interface Meter {
  start(): Promise<void>;
  /** Microseconds spent since start. */
  stop(): Promise<number>;
}

/**
 * The admission's own work without HTTP or the gateway around it: the built gateway's store
 * admitting and settling `calls` calls one after another, 50 in flight at any time as under the
 * load above, with and without a reservation (the prompt estimate included). µs per call by the
 * meter (this process's CPU for the memory store, Redis's own time in commands for Redis); median
 * of `rounds` alternating runs.
 */
async function storeCost(
  open: () => StoreLike,
  meter: Meter,
  calls: number,
  rounds: number,
): Promise<{ reserving: number; plain: number }> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { estimatePromptTokensHigh } = require(
    join(ROOT, 'dist/governance/reservation-inputs'),
  ) as { estimatePromptTokensHigh(body: object): number };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const body = JSON.parse(chatBody(`groq/${BENCH_MODEL}`, 'Say hello')) as object;
  const endsAtMs = Date.now() + 30 * 86_400_000;
  let runs = 0;
  const run = async (reserving: boolean): Promise<number> => {
    const store = open();
    await store.ready?.(10_000);
    // A fresh key each run: nothing left over from the previous one.
    const keyId = `k${runs++}`;
    const inFlight: string[] = [];
    await meter.start();
    for (let i = 0; i < calls; i++) {
      const id = `call-${i}`;
      await store.admit({
        keyId,
        ...(reserving && {
          tokensPerMinute: 1e12,
          budget: { limitNanoUsd: 1e15, period: 'p', endsAtMs },
          reserve: {
            id,
            promptTokens: estimatePromptTokensHigh(body),
            explicitOutputTokens: 64,
            outputCap: 32_768,
            inputNanoPerToken: 590,
            outputNanoPerToken: 790,
            leaseMs: 600_000,
          },
        }),
      });
      inFlight.push(id);
      if (inFlight.length > 50) {
        const settled = inFlight.shift();
        await store.record({
          keyId,
          reservationId: reserving ? settled : undefined,
          tokens: 80,
          costNanoUsd: reserving ? 60_000 : 0,
          ...(reserving && { budgetPeriod: { period: 'p', endsAtMs } }),
        });
      }
    }
    const micros = await meter.stop();
    await store.close();
    return micros / calls;
  };
  await run(true);
  await run(false);
  const times = { reserving: [] as number[], plain: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    times.reserving.push(await run(true));
    times.plain.push(await run(false));
  }
  return { reserving: round3(median(times.reserving)), plain: round3(median(times.plain)) };
}

/** The memory store's cost in this process's CPU, and the Redis store's in Redis's own time. */
async function storeCosts(
  redisUrl: string,
  calls: { memory: number; redis: number },
): Promise<{
  memory: { reserving: number; plain: number };
  redis: { reserving: number; plain: number };
}> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { MemoryGovernanceStore } = require(join(ROOT, 'dist/governance/store/memory-store')) as {
    MemoryGovernanceStore: new () => StoreLike;
  };
  const { RedisGovernanceStore } = require(join(ROOT, 'dist/governance/store/redis-store')) as {
    RedisGovernanceStore: new (url: string, onError: (error: Error) => void) => StoreLike;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  let cpu = process.cpuUsage();
  const memory = await storeCost(
    () => new MemoryGovernanceStore(),
    {
      start: () => {
        cpu = process.cpuUsage();
        return Promise.resolve();
      },
      stop: () => {
        const used = process.cpuUsage(cpu);
        return Promise.resolve(used.user + used.system);
      },
    },
    calls.memory,
    5,
  );
  const client = new Redis(redisUrl);
  try {
    const redis = await storeCost(
      () => new RedisGovernanceStore(redisUrl, () => undefined),
      {
        start: async () => {
          await client.config('RESETSTAT');
        },
        stop: async () => commandMicros(await client.info('commandstats')),
      },
      calls.redis,
      3,
    );
    return { memory, redis };
  } finally {
    client.disconnect();
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function main(): Promise<void> {
  const services: Service[] = [];
  let redis: RedisServer | undefined;
  const configDir = mkdtempSync(join(tmpdir(), 'bench-reservation-'));
  try {
    const configPath = join(configDir, 'gateway.yaml');
    writeFileSync(configPath, CONFIG);
    const emulator = await startEmulator(ROOT);
    services.push(emulator);
    redis = await startRedisServer();
    process.stderr.write('[bench] the stores alone (no HTTP)\n');
    const inProcess = await storeCosts(
      redis.url,
      smoke ? { memory: 5_000, redis: 500 } : { memory: 100_000, redis: 5_000 },
    );
    const stores = [
      await measureStore('memory', emulator.url, configPath, undefined),
      await measureStore('redis', emulator.url, configPath, redis),
    ];
    const result = {
      date: new Date().toISOString(),
      smoke,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        kernel: release(),
        loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      },
      plan,
      inProcess,
      stores,
    };
    const resultsDir = join(ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const stamp = result.date.slice(0, 19).replace(/[:T]/g, '-');
    const file = join(resultsDir, `${stamp}-reservation${smoke ? '-smoke' : ''}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const section = renderReservationSection(result, file.slice(ROOT.length + 1));
    if (!smoke) writeBenchmarksSection(join(ROOT, 'BENCHMARKS.md'), 'reservation', section);
    process.stdout.write(`\n${section}\n`);
    const errors = stores.reduce((sum, s) => sum + s.reserving.errors + s.plain.errors, 0);
    if (errors > 0) {
      process.stderr.write(`[bench] ${errors} requests failed: the figures are not comparable\n`);
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await redis?.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** The Markdown section for BENCHMARKS.md. */
export function renderReservationSection(
  result: {
    date: string;
    machine: { cpus: number; cpuModel: string; node: string; loadAverage: number[] };
    plan: { pairs: number; seconds: number; sequential: number; sequentialRounds: number };
    inProcess: {
      memory: { reserving: number; plain: number };
      redis: { reserving: number; plain: number };
    };
    stores: StoreResult[];
  },
  file: string,
): string {
  const pct = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;
  const cpu = (side: PairSide) =>
    side.cpuMicrosPerRequest === undefined ? 'n/a' : String(Math.round(side.cpuMicrosPerRequest));
  const rows = result.stores.flatMap((s) => [
    `| ${s.store} | reserving (budget + tokensPerMinute) | ${Math.round(s.reserving.requestsPerSecond)} | ${cpu(s.reserving)} | ${s.reserving.p50} | ${s.reserving.p99} | ${s.sequential.reserving.p50} | ${s.reserving.errors} |`,
    `| ${s.store} | plain (no limits) | ${Math.round(s.plain.requestsPerSecond)} | ${cpu(s.plain)} | ${s.plain.p50} | ${s.plain.p99} | ${s.sequential.plain.p50} | ${s.plain.errors} |`,
  ]);
  const ratios = result.stores.map(
    (s) =>
      `- ${s.store}: throughput ${pct(s.paired.throughputRatio - 1)}, CPU per request ${s.paired.cpuRatio === undefined ? 'n/a' : pct(s.paired.cpuRatio - 1)} (median of ${s.paired.rounds} pairs' ratios; medians of each side: ${s.reserving.cpuMicrosPerRequest !== undefined && s.plain.cpuMicrosPerRequest !== undefined ? `${Math.round(s.reserving.cpuMicrosPerRequest - s.plain.cpuMicrosPerRequest)} µs/request` : 'n/a'}); sequential p50 ${pct(s.sequential.reserving.p50 / s.sequential.plain.p50 - 1)}.`,
  );
  const redisRows = result.stores.flatMap((s) =>
    s.redisMicrosPerRequest
      ? [
          `- Redis's own time in commands per request (INFO commandstats, median of the rounds): ${s.redisMicrosPerRequest.reserving} µs reserving, ${s.redisMicrosPerRequest.plain} µs plain.`,
        ]
      : [],
  );
  const { inProcess } = result;
  return [
    '## Budget reservations: what reserving at admission costs',
    '',
    `Run ${result.date}, \`npm run bench:reservation\`, raw figures in \`${file}\`. Machine: ${result.machine.cpus} x ${result.machine.cpuModel}, Node ${result.machine.node}, load average ${result.machine.loadAverage.join(' / ')} at the end.`,
    '',
    `One gateway (LOGS_STORE=off), two virtual keys: \`reserving\` has a budget and a tokens-per-minute limit too large to reach (every call estimates, reserves and settles), \`plain\` has none (same admission, nothing reserved). Full throughput: autocannon, 50 connections, ${result.plan.pairs} pairs of ${result.plan.seconds} s rounds, order alternating (ABBA...). Sequential: ${result.plan.sequentialRounds} interleaved rounds of ${result.plan.sequential} keep-alive calls per key. CPU per request is the gateway process's own (/proc schedstat). Everything (emulator, Redis, gateway, autocannon) shares the machine, and on a machine shared with other work only the ratios within one pair are fair: the in-process figure and Redis's own time are the steady ones.`,
    '',
    '| store | key | req/s | CPU µs/req | p50 ms | p99 ms | sequential p50 ms | errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Reserving vs plain, within each pair:',
    '',
    ...ratios,
    ...redisRows,
    '',
    'The stores alone, no HTTP (the built store admitting and settling calls one after another, 50 in flight, the prompt estimate included), per call:',
    '',
    `- memory store, this process's CPU (median of 5 runs): ${inProcess.memory.reserving} µs reserving, ${inProcess.memory.plain} µs plain (+${round3(inProcess.memory.reserving - inProcess.memory.plain)} µs).`,
    `- Redis store, Redis's own time in commands (median of 3 runs): ${inProcess.redis.reserving} µs reserving, ${inProcess.redis.plain} µs plain (+${round3(inProcess.redis.reserving - inProcess.redis.plain)} µs).`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
