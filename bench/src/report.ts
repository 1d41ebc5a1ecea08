import type { LatencySummary } from './measure';

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
  sequential: Record<string, LatencySummary>;
  throughput: Record<
    string,
    { requestsPerSecond: number; p50: number; p99: number; errors: number }
  >;
  fixedRates: Array<{
    target: string;
    rate: number;
    achieved: number;
    p50: number;
    p99: number;
    errors: number;
  }>;
  streaming: Array<{ target: string; firstByte: LatencySummary; total: LatencySummary }>;
  openStreams: { count: number; ok: number; errors: number; peakRssMb: number };
  peakRssMb: Record<string, number | undefined>;
  workers: { one: number; two: number };
}

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(3);
const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}x` : 'n/a');

/** BENCHMARKS.md: the tables, the targets as ratios from this one run, and the machine. */
export function renderMarkdown(result: BenchResult, file: string): string {
  const direct = result.sequential.direct;
  const added = (name: string, key: 'p50' | 'p90' | 'p99') =>
    (result.sequential[name]?.[key] ?? Number.NaN) - direct[key];
  const names = Object.keys(result.sequential).filter((name) => name !== 'direct');
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

  const targets = [
    [
      'added latency p50 vs the floor',
      `${ratio(added('gateway', 'p50'), added('bare proxy', 'p50'))}`,
      '<= 1.3x',
    ],
    [
      'added latency p99 vs the floor',
      `${ratio(added('gateway', 'p99'), added('bare proxy', 'p99'))}`,
      '<= 1.3x',
    ],
    ['full throughput vs the floor', ratio(gatewayThroughput, floorThroughput), '>= 0.85x'],
    [
      'full throughput vs Portkey',
      portkeyThroughput ? ratio(gatewayThroughput, portkeyThroughput) : 'n/a',
      '>= 10x',
    ],
    ['streaming first-byte overhead p50', `${ms(firstByteOverhead)} ms`, '<= 1 ms'],
    [
      `${result.openStreams.count} open streams, peak RSS`,
      `${result.openStreams.peakRssMb} MB (${result.openStreams.ok} ok, ${result.openStreams.errors} errors)`,
      '<= 300 MB, no errors',
    ],
    ['errors in the run', String(allErrors), '0'],
  ];

  return [
    '# Benchmarks',
    '',
    `Run ${result.date}${result.smoke ? ' (smoke run: too short to read targets from)' : ''}: \`npm run bench\`, raw figures in \`${file}\`.`,
    `Machine: ${result.machine.cpus} x ${result.machine.cpuModel}, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}, Linux ${result.machine.kernel}.`,
    'Everything runs on this one machine over loopback (emulator, proxies and load generator share the cores), so read ratios from one run, not absolute numbers across runs.',
    '',
    '## Targets (ratios from this run)',
    '',
    '| target | measured | wanted |',
    '| --- | --- | --- |',
    ...targets.map((row) => `| ${row.join(' | ')} |`),
    '',
    `## Added latency over direct (sequential keep-alive, ${result.plan.rounds} interleaved rounds of ${result.plan.sequential})`,
    '',
    '| target | p50 ms | p90 ms | p99 ms | added p50 | added p90 | added p99 | errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    `| direct | ${ms(direct.p50)} | ${ms(direct.p90)} | ${ms(direct.p99)} | | | | ${direct.errors} |`,
    ...names.map((name) => {
      const s = result.sequential[name];
      return `| ${name} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(added(name, 'p50'))} | ${ms(added(name, 'p90'))} | ${ms(added(name, 'p99'))} | ${s.errors} |`;
    }),
    '',
    `## Full throughput (autocannon, 50 connections, median of ${result.plan.rounds} rounds of ${result.plan.seconds} s)`,
    '',
    '| target | req/s | vs bare proxy | p50 ms | p99 ms | errors | peak RSS MB |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...Object.entries(result.throughput).map(
      ([name, t]) =>
        `| ${name} | ${Math.round(t.requestsPerSecond)} | ${ratio(t.requestsPerSecond, floorThroughput)} | ${t.p50} | ${t.p99} | ${t.errors} | ${result.peakRssMb[name] ?? 'n/a'} |`,
    ),
    '',
    '## Fixed rates (autocannon, 50 connections)',
    '',
    '| target | asked req/s | got req/s | p50 ms | p99 ms | errors |',
    '| --- | --- | --- | --- | --- | --- |',
    ...result.fixedRates.map(
      (r) =>
        `| ${r.target} | ${r.rate} | ${Math.round(r.achieved)} | ${r.p50} | ${r.p99} | ${r.errors} |`,
    ),
    '',
    `## Streaming (realistic profile: first byte 20 ms, 2 ms between chunks; ${result.plan.streamRequests} sequential streams)`,
    '',
    '| target | first byte p50 ms | first byte p99 ms | total p50 ms | total p99 ms | errors |',
    '| --- | --- | --- | --- | --- | --- |',
    ...result.streaming.map(
      (s) =>
        `| ${s.target} | ${ms(s.firstByte.p50)} | ${ms(s.firstByte.p99)} | ${ms(s.total.p50)} | ${ms(s.total.p99)} | ${s.firstByte.errors} |`,
    ),
    '',
    '## Several processes',
    '',
    `One gateway process: ${Math.round(result.workers.one)} req/s; \`WORKERS=2\` (node:cluster, one port): ${Math.round(result.workers.two)} req/s (${ratio(result.workers.two, result.workers.one)}). On this 2-core machine the load generator and the emulator take CPU too, so this understates scaling. Beyond one machine the answer is more replicas behind a Kubernetes Service, with shared state in Redis.`,
    '',
  ].join('\n');
}
