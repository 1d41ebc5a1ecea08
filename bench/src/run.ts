import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  concurrentStreams,
  load,
  median,
  medianIfAny,
  sequentialLatencies,
  streamTimings,
  summarize,
  Target,
  ThroughputSummary,
  BENCH_MODEL,
} from './measure';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  cpuMicros,
  freePort,
  gatewayEnvironment,
  peakRssMb,
  rssMb,
  Service,
  startEmulator,
  startQuietGateway,
  startService,
} from './processes';
import { writeBenchmarks } from './benchmarks-file';
import { renderMarkdown, BenchResult, LEAN } from './report';
import { logsOnOff, storeThroughput } from './request-logs-cost';

/**
 * `npm run bench`: the emulator, the bare node:http proxy (the floor), the plain NestJS proxy (the
 * reference: what Nest itself costs), this gateway and Portkey,
 * measured side by side in one run, in interleaved rounds. `--smoke` runs a few seconds of each
 * so the harness cannot rot; targets are read from a full run only.
 */
const ROOT = join(__dirname, '..', '..');
const smoke = process.argv.includes('--smoke');
const plan = smoke
  ? { rounds: 1, sequential: 60, seconds: 1, rates: [500], streamRequests: 10, openStreams: 100 }
  : {
      rounds: 3,
      sequential: 400,
      seconds: 5,
      rates: [500, 1000, 2000],
      streamRequests: 60,
      openStreams: 1000,
    };
const KEY = 'gsk_bench_key';
const LISTENING = /(http:\/\/[\d.]+:\d+)/;
/** A WORKERS=2 gateway's two "listening on" lines (one per worker); group 1 is the URL. */
const BOTH_WORKERS_LISTENING = /listening on (http:\/\/[\d.]+:\d+)[\s\S]*listening on http/;
/** A realistic Groq profile for the streaming runs: first byte after 20 ms, 2 ms between chunks. */
const REALISTIC = '[fault:latency=20,2] Tell me a short story about a lighthouse keeper';

async function main(): Promise<void> {
  const services: Service[] = [];
  // The gateway runs as users run it: request logs in the default SQLite store, here a temp folder.
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-gateway-data-'));
  const start = async (...args: Parameters<typeof startService>) => {
    const service = await startService(...args);
    services.push(service);
    return service;
  };
  try {
    const emulator = await startEmulator(ROOT);
    services.push(emulator);
    const gatewayEnv = { ...gatewayEnvironment(emulator.url, KEY), DATA_DIR: dataDir };
    const gateway = await start('gateway', [join(ROOT, 'dist/main.js')], gatewayEnv, LISTENING);
    const gatewayLogsOff = await start(
      'gateway (LOGS_STORE=off)',
      [join(ROOT, 'dist/main.js')],
      { ...gatewayEnv, LOGS_STORE: 'off' },
      LISTENING,
    );
    // What the stack allows: the same gateway without its two optional per-request records
    // (request logs off, no access log line), measured beside the rest in the sequential and
    // full-throughput rounds, so the pipeline's own cost reads apart from those features' costs.
    const gatewayLean = await startQuietGateway(LEAN, [join(ROOT, 'dist/main.js')], {
      ...gatewayEnv,
      LOGS_STORE: 'off',
      LOG_LEVEL: 'warn',
    });
    services.push(gatewayLean);
    const floor = await start(
      'bare proxy',
      [join(ROOT, 'bench/dist/bare-proxy.js')],
      { UPSTREAM: emulator.url, GROQ_API_KEY: KEY, PORT: '0' },
      LISTENING,
    );
    const plainNest = await start(
      'plain nest',
      [join(ROOT, 'bench/dist/plain-nest.js')],
      { UPSTREAM: emulator.url, GROQ_API_KEY: KEY, PORT: '0' },
      LISTENING,
    );
    const portkeyPort = await freePort();
    const portkey = await start(
      'portkey',
      [
        join(ROOT, 'bench/node_modules/@portkey-ai/gateway/build/start-server.js'),
        `--port=${portkeyPort}`,
        '--headless',
      ],
      {},
      /(http:\/\/localhost:\d+)/,
    ).catch((error: Error) => {
      process.stderr.write(
        `portkey did not start, measured without it: ${error.message.split('\n')[0]}\n`,
      );
      return undefined;
    });

    const targets: Target[] = [
      {
        name: 'direct',
        url: emulator.url,
        path: '/openai/v1/chat/completions',
        headers: { authorization: `Bearer ${KEY}` },
        model: BENCH_MODEL,
        pid: emulator.child.pid,
      },
      {
        name: 'bare proxy',
        url: floor.url,
        path: '/v1/chat/completions',
        headers: {},
        model: `groq/${BENCH_MODEL}`,
        pid: floor.child.pid,
      },
      {
        name: 'plain nest',
        url: plainNest.url,
        path: '/v1/chat/completions',
        headers: {},
        model: `groq/${BENCH_MODEL}`,
        pid: plainNest.child.pid,
      },
      {
        name: 'gateway',
        url: gateway.url,
        path: '/v1/chat/completions',
        headers: {},
        model: `groq/${BENCH_MODEL}`,
        pid: gateway.child.pid,
      },
    ];
    if (portkey) {
      targets.push({
        name: 'portkey',
        url: portkey.url.replace('localhost', '127.0.0.1'),
        path: '/v1/chat/completions',
        headers: {
          'x-portkey-provider': 'groq',
          'x-portkey-custom-host': `${emulator.url}/openai/v1`,
          authorization: `Bearer ${KEY}`,
        },
        model: BENCH_MODEL,
        pid: portkey.child.pid,
      });
    }

    const leanTarget: Target = {
      name: LEAN,
      url: gatewayLean.url,
      path: '/v1/chat/completions',
      headers: {},
      model: `groq/${BENCH_MODEL}`,
      pid: gatewayLean.child.pid,
    };
    /** The sequential and full-throughput rounds measure the lean gateway too. */
    const measured = [...targets, leanTarget];

    log('warming up');
    for (const target of measured) await sequentialLatencies(target, smoke ? 20 : 200);

    log('sequential latency (interleaved rounds)');
    const sequential = new Map<string, { samples: number[]; errors: number; cpu: number[] }>();
    for (let round = 0; round < plan.rounds; round++) {
      for (const target of measured) {
        const cpuBefore = cpuMicros(target.pid) ?? 0;
        const { samples, errors } = await sequentialLatencies(target, plan.sequential);
        const cpu = ((cpuMicros(target.pid) ?? 0) - cpuBefore) / Math.max(1, samples.length);
        const entry = sequential.get(target.name) ?? { samples: [], errors: 0, cpu: [] };
        entry.samples.push(...samples);
        entry.errors += errors;
        entry.cpu.push(cpu);
        sequential.set(target.name, entry);
      }
    }

    log('full throughput, 50 connections (interleaved rounds)');
    const throughput = new Map<
      string,
      { rps: number[]; errors: number; p50: number[]; p99: number[]; cpu: number[] }
    >();
    for (let round = 0; round < plan.rounds; round++) {
      for (const target of measured) {
        const result = await load(target, { connections: 50, durationSeconds: plan.seconds });
        const entry = throughput.get(target.name) ?? {
          rps: [],
          errors: 0,
          p50: [],
          p99: [],
          cpu: [],
        };
        entry.rps.push(result.requestsPerSecond);
        if (result.cpuMicrosPerRequest !== undefined) entry.cpu.push(result.cpuMicrosPerRequest);
        entry.p50.push(result.p50);
        entry.p99.push(result.p99);
        entry.errors += result.errors;
        throughput.set(target.name, entry);
      }
    }

    log('fixed rates');
    const rates: BenchResult['fixedRates'] = [];
    for (const rate of plan.rates) {
      for (const target of targets) {
        const result = await load(target, {
          connections: 50,
          durationSeconds: plan.seconds,
          overallRate: rate,
        });
        rates.push({
          target: target.name,
          rate,
          achieved: result.requestsPerSecond,
          p50: result.p50,
          p99: result.p99,
          errors: result.errors,
          cpuMicrosPerRequest: result.cpuMicrosPerRequest,
        });
      }
    }

    log('streaming, realistic profile (first byte 20 ms, 2 ms between chunks)');
    const streaming: BenchResult['streaming'] = [];
    for (const target of targets) {
      const timings = await streamTimings(target, plan.streamRequests, REALISTIC);
      streaming.push({
        target: target.name,
        firstByte: summarize(timings.firstByte, timings.errors),
        total: summarize(timings.total, timings.errors),
        cpuMicrosPerStream: timings.cpuMicrosPerStream,
      });
    }

    log(`${plan.openStreams} concurrent open streams through the gateway`);
    const gatewayTarget = targets.find((t) => t.name === 'gateway') as Target;
    let peakDuringStreams = rssMb(gateway.child.pid) ?? 0;
    const sampler = setInterval(
      () => (peakDuringStreams = Math.max(peakDuringStreams, rssMb(gateway.child.pid) ?? 0)),
      20,
    );
    const open = await concurrentStreams(
      gatewayTarget,
      plan.openStreams,
      '[fault:latency=0,40] one two three four five six seven eight nine ten eleven twelve',
    );
    clearInterval(sampler);

    const peakRss = Object.fromEntries(targets.map((t) => [t.name, peakRssMb(t.pid)]));

    log('workers: 1 and 2 processes');
    // Each worker says where it listens: wait for both, then warm both up as the other targets
    // were (a cold worker costs its start-up's CPU to the first round).
    const gateway2 = await start(
      'gateway x2',
      [join(ROOT, 'dist/main.js')],
      { ...gatewayEnv, WORKERS: '2' },
      BOTH_WORKERS_LISTENING,
    );
    const twoWorkers: Target = {
      ...gatewayTarget,
      name: 'gateway (2 workers)',
      url: gateway2.url,
      pid: gateway2.child.pid,
    };
    await load(twoWorkers, { connections: 50, durationSeconds: smoke ? 1 : 3 });
    // The two-worker gateway's CPU is its primary's and its workers' (cpuMicros adds children).
    const scaling = { one: [] as ThroughputSummary[], two: [] as ThroughputSummary[] };
    for (let round = 0; round < plan.rounds; round++) {
      scaling.one.push(
        await load(gatewayTarget, { connections: 50, durationSeconds: plan.seconds }),
      );
      scaling.two.push(await load(twoWorkers, { connections: 50, durationSeconds: plan.seconds }));
    }
    const scalingCpu = (runs: ThroughputSummary[]) =>
      medianIfAny(runs.flatMap((r) => r.cpuMicrosPerRequest ?? []));

    log('request logs: the default store on vs LOGS_STORE=off (interleaved rounds)');
    const onOff = await logsOnOff(
      gatewayTarget,
      {
        ...gatewayTarget,
        name: 'gateway (LOGS_STORE=off)',
        url: gatewayLogsOff.url,
        pid: gatewayLogsOff.child.pid,
      },
      { rounds: smoke ? 2 : 2 * plan.rounds, seconds: plan.seconds },
    );
    log('request logs: store records per second');
    const stores = await storeThroughput(ROOT, smoke ? 5_000 : 100_000);

    const result: BenchResult = {
      date: new Date().toISOString(),
      smoke,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        kernel: release(),
      },
      plan,
      sequential: Object.fromEntries(
        [...sequential].map(([name, entry]) => [
          name,
          { ...summarize(entry.samples, entry.errors), cpuMicrosPerRequest: median(entry.cpu) },
        ]),
      ),
      throughput: Object.fromEntries(
        [...throughput].map(([name, entry]) => [
          name,
          {
            requestsPerSecond: median(entry.rps),
            p50: median(entry.p50),
            p99: median(entry.p99),
            errors: entry.errors,
            cpuMicrosPerRequest: medianIfAny(entry.cpu),
          },
        ]),
      ),
      fixedRates: rates,
      streaming,
      openStreams: {
        count: plan.openStreams,
        ok: open.ok,
        errors: open.errors,
        peakRssMb: Math.round(peakDuringStreams),
      },
      peakRssMb: peakRss,
      workers: {
        one: median(scaling.one.map((r) => r.requestsPerSecond)),
        two: median(scaling.two.map((r) => r.requestsPerSecond)),
        cpuMicrosPerRequest: { one: scalingCpu(scaling.one), two: scalingCpu(scaling.two) },
      },
      requestLogs: { ...onOff, storeRecordsPerSecond: stores },
    };

    const resultsDir = join(ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const stamp = result.date.slice(0, 19).replace(/[:T]/g, '-');
    const file = join(resultsDir, `${stamp}${smoke ? '-smoke' : ''}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const markdown = renderMarkdown(result, file.slice(ROOT.length + 1));
    if (!smoke) writeBenchmarks(join(ROOT, 'BENCHMARKS.md'), markdown);
    process.stdout.write(`\n${markdown}\n`);
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
