import type { LatencySummary } from './measure';
import { renderLogsSection, type RequestLogsBench } from './request-logs-cost';

export interface BenchResult {
  date: string;
  smoke: boolean;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; kernel: string };
  plan: {
    rounds: number;
    sequential: number;
    seconds: number;
    rates: number[];
    streamRequests: number;
    openStreams: number;
  };
  sequential: Record<string, LatencySummary & { cpuMicrosPerRequest?: number }>;
  throughput: Record<
    string,
    {
      requestsPerSecond: number;
      p50: number;
      p99: number;
      errors: number;
      /** The target process's CPU per request, from /proc (median of the rounds). */
      cpuMicrosPerRequest?: number;
    }
  >;
  fixedRates: Array<{
    target: string;
    rate: number;
    achieved: number;
    p50: number;
    p99: number;
    errors: number;
    /** The target process's CPU per request, from /proc; absent in runs from before it was kept. */
    cpuMicrosPerRequest?: number;
  }>;
  streaming: Array<{
    target: string;
    firstByte: LatencySummary;
    total: LatencySummary;
    /** The target process's CPU over the run per stream completed; absent in older runs. */
    cpuMicrosPerStream?: number;
  }>;
  openStreams: { count: number; ok: number; errors: number; peakRssMb: number };
  peakRssMb: Record<string, number | undefined>;
  workers: {
    /** Requests per second (median of the rounds). */
    one: number;
    two: number;
    /** CPU per request (with two workers the primary's and its workers'); absent in older runs. */
    cpuMicrosPerRequest?: { one?: number; two?: number };
  };
  /** Absent in runs from before request logs were measured. */
  requestLogs?: RequestLogsBench;
}

/** The gateway with LOGS_STORE=off and LOG_LEVEL=warn: what the stack allows, features apart. */
export const LEAN = 'gateway (LOGS_STORE=off, LOG_LEVEL=warn)';

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(3);
const ratio = (value: number, base: number) =>
  base > 0 && Number.isFinite(value) ? `${(value / base).toFixed(2)}x` : 'n/a';
const us = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : String(Math.round(value));

/** BENCHMARKS.md: the tables, the targets as ratios from this one run, and the machine. */
export function renderMarkdown(result: BenchResult, file: string): string {
  const direct = result.sequential.direct;
  const added = (name: string, key: 'p50' | 'p90' | 'p99') =>
    (result.sequential[name]?.[key] ?? Number.NaN) - direct[key];
  const names = Object.keys(result.sequential).filter((name) => name !== 'direct');
  const leanMeasured = result.throughput[LEAN] !== undefined;
  const floorThroughput = result.throughput['bare proxy']?.requestsPerSecond ?? 0;
  const gatewayThroughput = result.throughput.gateway?.requestsPerSecond ?? 0;
  const portkeyThroughput = result.throughput.portkey?.requestsPerSecond;
  const directStream = result.streaming.find((s) => s.target === 'direct');
  const gatewayStream = result.streaming.find((s) => s.target === 'gateway');
  const firstByteOverhead =
    (gatewayStream?.firstByte.p50 ?? Number.NaN) - (directStream?.firstByte.p50 ?? Number.NaN);
  const allErrors =
    Object.values(result.throughput).reduce((sum, t) => sum + t.errors, 0) +
    Object.values(result.sequential).reduce((sum, s) => sum + s.errors, 0) +
    result.openStreams.errors;

  const nestThroughput = result.throughput['plain nest']?.requestsPerSecond ?? 0;
  const cpu = (name: string) => result.throughput[name]?.cpuMicrosPerRequest ?? Number.NaN;
  const nestStream = result.streaming.find((s) => s.target === 'plain nest');
  const floorStream = result.streaming.find((s) => s.target === 'bare proxy');
  const firstByteOver = (stream: typeof gatewayStream) =>
    (stream?.firstByte.p50 ?? Number.NaN) - (directStream?.firstByte.p50 ?? Number.NaN);
  const targets = [
    ['CPU per request vs plain Nest', ratio(cpu('gateway'), cpu('plain nest')), '<= 1.2x'],
    ['CPU per request vs the floor', ratio(cpu('gateway'), cpu('bare proxy')), '<= 1.4x'],
    ['full throughput vs plain Nest', ratio(gatewayThroughput, nestThroughput), '>= 0.8x'],
    ['full throughput vs the floor', ratio(gatewayThroughput, floorThroughput), '>= 0.7x'],
    [
      'added latency p50 vs plain Nest',
      ratio(added('gateway', 'p50'), added('plain nest', 'p50')),
      '<= 1.3x',
    ],
    [
      'added latency p50 / p99 vs the floor',
      `${ratio(added('gateway', 'p50'), added('bare proxy', 'p50'))} / ${ratio(added('gateway', 'p99'), added('bare proxy', 'p99'))}`,
      'reported',
    ],
    [
      'streaming first-byte overhead p50 vs the floor',
      `${ratio(firstByteOver(gatewayStream), firstByteOver(floorStream))} (${ms(firstByteOverhead)} ms; floor ${ms(firstByteOver(floorStream))} ms, plain Nest ${ms(firstByteOver(nestStream))} ms)`,
      '<= 1.3x',
    ],
    [
      `${result.openStreams.count} open streams, peak RSS`,
      `${result.openStreams.peakRssMb} MB (${result.openStreams.ok} ok, ${result.openStreams.errors} errors)`,
      '<= 250 MB, no errors',
    ],
    [
      'full throughput vs Portkey',
      portkeyThroughput ? ratio(gatewayThroughput, portkeyThroughput) : 'n/a',
      'reported',
    ],
    ['errors in the run', String(allErrors), '0'],
  ];
  const allows = leanMeasured
    ? [
        `What the stack allows: the same gateway with \`LOGS_STORE=off\` and \`LOG_LEVEL=warn\` (no request log record, no access log line) in the same rounds: CPU per request ${ratio(cpu(LEAN), cpu('plain nest'))} plain Nest's (${ratio(cpu(LEAN), cpu('bare proxy'))} the floor's), full throughput ${ratio(result.throughput[LEAN].requestsPerSecond, nestThroughput)} plain Nest's, added p50 ${ratio(added(LEAN, 'p50'), added('plain nest', 'p50'))} plain Nest's. The rest of the gap to plain Nest is the pipeline with the always-on features (auth and governance admission, key choice, metrics, tracing headers, usage and cost).`,
        '',
      ]
    : [];

  return [
    '# Benchmarks',
    '',
    `Run ${result.date}${result.smoke ? ' (smoke run: too short to read targets from)' : ''}: \`npm run bench\`, raw figures in \`${file}\`.`,
    `Machine: ${result.machine.cpus} x ${result.machine.cpuModel}, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}, Linux ${result.machine.kernel}.`,
    "Everything runs on this one machine over loopback (emulator, proxies and load generator share the cores), so read ratios from one run, not absolute numbers across runs. CPU per request is each process's own time on a CPU (the sum of its threads' /proc schedstat) over the requests it answered: other load on a shared machine disturbs it far less than requests per second or latency. For `direct` it is the emulator's own cost. CPU per stream is the same over the streaming run, per stream completed.",
    '',
    '## Targets (ratios from this run)',
    '',
    '| target | measured | wanted |',
    '| --- | --- | --- |',
    ...targets.map((row) => `| ${row.join(' | ')} |`),
    '',
    ...allows,
    `## Added latency over direct (sequential keep-alive, ${result.plan.rounds} interleaved rounds of ${result.plan.sequential})`,
    '',
    '| target | p50 ms | p90 ms | p99 ms | added p50 | added p90 | added p99 | CPU µs/req | errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| direct | ${ms(direct.p50)} | ${ms(direct.p90)} | ${ms(direct.p99)} | | | | ${us(direct.cpuMicrosPerRequest)} | ${direct.errors} |`,
    ...names.map((name) => {
      const s = result.sequential[name];
      return `| ${name} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(added(name, 'p50'))} | ${ms(added(name, 'p90'))} | ${ms(added(name, 'p99'))} | ${us(s.cpuMicrosPerRequest)} | ${s.errors} |`;
    }),
    '',
    `## Full throughput (autocannon, 50 connections, median of ${result.plan.rounds} rounds of ${result.plan.seconds} s)`,
    '',
    '| target | req/s | vs bare proxy | vs plain Nest | CPU µs/req | p50 ms | p99 ms | errors | peak RSS MB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...Object.entries(result.throughput).map(
      ([name, t]) =>
        `| ${name} | ${Math.round(t.requestsPerSecond)} | ${ratio(t.requestsPerSecond, floorThroughput)} | ${ratio(t.requestsPerSecond, nestThroughput)} | ${us(t.cpuMicrosPerRequest)} | ${t.p50} | ${t.p99} | ${t.errors} | ${result.peakRssMb[name] ?? 'n/a'} |`,
    ),
    '',
    '## Fixed rates (autocannon, 50 connections)',
    '',
    '| target | asked req/s | got req/s | CPU µs/req | p50 ms | p99 ms | errors |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.fixedRates.map(
      (r) =>
        `| ${r.target} | ${r.rate} | ${Math.round(r.achieved)} | ${us(r.cpuMicrosPerRequest)} | ${r.p50} | ${r.p99} | ${r.errors} |`,
    ),
    '',
    `## Streaming (realistic profile: first byte 20 ms, 2 ms between chunks; ${result.plan.streamRequests} sequential streams)`,
    '',
    '| target | first byte p50 ms | first byte p99 ms | total p50 ms | total p99 ms | CPU µs/stream | errors |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.streaming.map(
      (s) =>
        `| ${s.target} | ${ms(s.firstByte.p50)} | ${ms(s.firstByte.p99)} | ${ms(s.total.p50)} | ${ms(s.total.p99)} | ${us(s.cpuMicrosPerStream)} | ${s.firstByte.errors} |`,
    ),
    '',
    `## Several processes (the gateway, autocannon, 50 connections, median of ${result.plan.rounds} rounds of ${result.plan.seconds} s)`,
    '',
    '| gateway | req/s | vs one process | CPU µs/req |',
    '| --- | --- | --- | --- |',
    `| \`WORKERS=1\` (one process) | ${Math.round(result.workers.one)} | | ${us(result.workers.cpuMicrosPerRequest?.one)} |`,
    `| \`WORKERS=2\` (node:cluster, one port) | ${Math.round(result.workers.two)} | ${ratio(result.workers.two, result.workers.one)} | ${us(result.workers.cpuMicrosPerRequest?.two)} |`,
    '',
    "With two workers the CPU is the cluster primary's and both workers' together. On this 2-core machine the load generator and the emulator take CPU too, so this understates scaling. Beyond one machine the answer is more replicas behind a Kubernetes Service, with shared state in Redis.",
    '',
    ...(result.requestLogs ? [renderLogsSection(result.requestLogs)] : []),
  ].join('\n');
}

/** The targeted ratios of one run as numbers, for the median over several runs (combine.ts). */
export function targetRatios(
  result: BenchResult,
): Array<{ target: string; value: number; wanted: string }> {
  const cpu = (name: string) => result.throughput[name]?.cpuMicrosPerRequest ?? Number.NaN;
  const rps = (name: string) => result.throughput[name]?.requestsPerSecond ?? Number.NaN;
  const added = (name: string) =>
    (result.sequential[name]?.p50 ?? Number.NaN) - result.sequential.direct.p50;
  const firstByte = (name: string) =>
    (result.streaming.find((s) => s.target === name)?.firstByte.p50 ?? Number.NaN) -
    (result.streaming.find((s) => s.target === 'direct')?.firstByte.p50 ?? Number.NaN);
  const sequentialCpu = (name: string) =>
    result.sequential[name]?.cpuMicrosPerRequest ?? Number.NaN;
  return [
    {
      target: 'CPU per request vs plain Nest (full throughput)',
      value: cpu('gateway') / cpu('plain nest'),
      wanted: '<= 1.2x',
    },
    {
      target: 'CPU per request vs the floor (full throughput)',
      value: cpu('gateway') / cpu('bare proxy'),
      wanted: '<= 1.4x',
    },
    {
      target: 'CPU per request vs plain Nest (sequential)',
      value: sequentialCpu('gateway') / sequentialCpu('plain nest'),
      wanted: 'reported',
    },
    {
      target: 'CPU per request vs the floor (sequential)',
      value: sequentialCpu('gateway') / sequentialCpu('bare proxy'),
      wanted: 'reported',
    },
    {
      target: 'full throughput vs plain Nest',
      value: rps('gateway') / rps('plain nest'),
      wanted: '>= 0.8x',
    },
    {
      target: 'full throughput vs the floor',
      value: rps('gateway') / rps('bare proxy'),
      wanted: '>= 0.7x',
    },
    {
      target: 'added latency p50 vs plain Nest',
      value: added('gateway') / added('plain nest'),
      wanted: '<= 1.3x',
    },
    {
      target: 'streaming first-byte overhead p50 vs the floor',
      value: firstByte('gateway') / firstByte('bare proxy'),
      wanted: '<= 1.3x',
    },
    {
      target: 'streaming first-byte overhead p50 vs plain Nest',
      value: firstByte('gateway') / firstByte('plain nest'),
      wanted: 'reported',
    },
    {
      target:
        'what the stack allows: CPU per request, LOGS_STORE=off + LOG_LEVEL=warn vs plain Nest',
      value: cpu(LEAN) / cpu('plain nest'),
      wanted: 'reported',
    },
    {
      target:
        'what the stack allows: full throughput, LOGS_STORE=off + LOG_LEVEL=warn vs plain Nest',
      value: rps(LEAN) / rps('plain nest'),
      wanted: 'reported',
    },
    {
      target: 'full throughput vs Portkey',
      value: rps('gateway') / rps('portkey'),
      wanted: 'reported',
    },
  ];
}
