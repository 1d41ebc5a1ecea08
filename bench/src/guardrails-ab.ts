import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { BENCH_MODEL, load, median, type Target, type ThroughputSummary } from './measure';
import { gatewayEnvironment, startEmulator, startService, type Service } from './processes';

/**
 * `npm run bench:guardrails`: the guardrails' cost on the real gateway, measured the way the full
 * bench measures everything (autocannon against the emulator, each process's CPU per request from
 * /proc), in one run, arms alternated round by round so a load that comes and goes on a shared
 * machine touches them all:
 *
 * - `none`: no guardrails configured at all;
 * - `idle`: six policies configured (every kind) but none applies to the call (no defaults, no
 *   header, no key policies): the hot path the issue wants unchanged;
 * - `clean`: PII (all entities), ten keywords and one regex as defaults on both stages, run on
 *   every call and matching nothing: the price of policies that are on and find nothing.
 *
 * JSON chat and streamed chat, each with the bench's usual short prompt and with a 2 KB one.
 * `--smoke` runs a second of each so the harness cannot rot.
 */
const ROOT = join(__dirname, '..', '..');
const smoke = process.argv.includes('--smoke');
const KEY = 'gsk_bench_key';
const LISTENING = /(http:\/\/[\d.]+:\d+)/;
const PLAN = smoke
  ? { rounds: 2, seconds: 1, warmSeconds: 1 }
  : { rounds: 7, seconds: 5, warmSeconds: 8 };
const ARMS = ['none', 'idle', 'clean'] as const;
type Arm = (typeof ARMS)[number];

const SPAN_POLICIES = `
    - { id: pii, kind: pii, stage: both, action: redact }
    - { id: words, kind: keywords, stage: both, action: block, words: [project-x, apollo, blue harvest, nightingale, codename, internal only, confidential, zebra-42, orion, skunkworks] }
    - { id: ssn-like, kind: regex, stage: both, action: block, patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b'] }`;
const JUDGES = `
    - { id: guard, kind: moderation, stage: both, action: block, model: groq/meta-llama/llama-guard-4-12b, categories: [S1, S9] }
    - { id: must-be-json, kind: json_schema, stage: output, action: block }
    - { id: hook, kind: webhook, stage: input, action: flag, url: http://127.0.0.1:9/check, timeoutMs: 200, onError: open }`;
const CONFIGS: Record<Arm, string> = {
  none: '{}\n',
  idle: `guardrails:\n  policies:${SPAN_POLICIES}${JUDGES}\n  defaults: []\n`,
  clean: `guardrails:\n  policies:${SPAN_POLICIES}${JUDGES}\n  defaults: [pii, words, ssn-like]\n`,
};

/** About 2 KB of ordinary prose with nothing any policy above finds. */
const LONG_PROMPT = (
  'The quarterly report covers revenue, churn and the hiring plan for the next two quarters. ' +
  'Please summarise the attached notes and list the open questions for the design review. ' +
  'Latency on the west cluster rose after the deploy and fell back within the hour. '
)
  .repeat(8)
  .slice(0, 2048);

const WORKLOADS = [
  { name: 'JSON chat, short prompt', stream: false, content: 'Say hello' },
  { name: 'JSON chat, 2 KB prompt', stream: false, content: LONG_PROMPT },
  { name: 'streamed chat, short prompt', stream: true, content: 'Say hello' },
  { name: 'streamed chat, 2 KB prompt', stream: true, content: LONG_PROMPT },
] as const;

interface ArmSummary {
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
  p50: number;
  p99: number;
  errors: number;
}

interface WorkloadResult {
  workload: string;
  arms: Record<Arm, ArmSummary>;
  /** Medians of each round's ratio to `none` (the arms of a round ran back to back). */
  cpuRatio: Record<'idle' | 'clean', number>;
  throughputRatio: Record<'idle' | 'clean', number>;
  /** Every round's CPU µs per request, per arm, in run order (for the noise). */
  cpuRounds: Record<Arm, number[]>;
}

async function main(): Promise<void> {
  const services: Service[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-guardrails-'));
  try {
    const emulator = await startEmulator(ROOT);
    services.push(emulator);
    const targets = {} as Record<Arm, Target>;
    for (const arm of ARMS) {
      const config = join(dir, `${arm}.yaml`);
      writeFileSync(config, CONFIGS[arm]);
      const gateway = await startService(
        `gateway (${arm})`,
        [join(ROOT, 'dist/main.js')],
        {
          ...gatewayEnvironment(emulator.url, KEY),
          DATA_DIR: mkdtempSync(join(dir, `${arm}-data-`)),
          GATEWAY_CONFIG: config,
        },
        LISTENING,
      );
      services.push(gateway);
      targets[arm] = {
        name: arm,
        url: gateway.url,
        path: '/v1/chat/completions',
        headers: {},
        model: `groq/${BENCH_MODEL}`,
        pid: gateway.child.pid,
      };
    }
    const loadStart = loadavg();
    const results: WorkloadResult[] = [];
    for (const workload of WORKLOADS) {
      process.stderr.write(`[bench] guardrails: ${workload.name}\n`);
      const options = {
        connections: 50,
        durationSeconds: PLAN.seconds,
        content: workload.content,
        stream: workload.stream,
      };
      // Warm every arm first (JIT, pools, the SQLite file): not measured. A first run showed a
      // cold gateway's CPU per request falling for about 15 s of load, so warm well.
      for (const arm of ARMS)
        await load(targets[arm], { ...options, durationSeconds: PLAN.warmSeconds });
      const runs: Record<Arm, ThroughputSummary[]> = { none: [], idle: [], clean: [] };
      for (let round = 0; round < PLAN.rounds; round++) {
        // Rotate the order (none idle clean, idle clean none, ...): no arm always goes first.
        for (let i = 0; i < ARMS.length; i++) {
          const arm = ARMS[(round + i) % ARMS.length];
          runs[arm].push(await load(targets[arm], options));
        }
      }
      results.push(summarizeWorkload(workload.name, runs));
    }
    const result = {
      date: new Date().toISOString(),
      smoke,
      plan: PLAN,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        kernel: release(),
        loadAverageStart: loadStart.map((l) => Number(l.toFixed(2))),
        loadAverageEnd: loadavg().map((l) => Number(l.toFixed(2))),
      },
      workloads: results,
    };
    const resultsDir = join(ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const stamp = result.date.slice(0, 19).replace(/[:T]/g, '-');
    const file = `${stamp}-guardrails${smoke ? '-smoke' : ''}.json`;
    writeFileSync(join(resultsDir, file), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${render(result, file)}\n`);
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarizeWorkload(name: string, runs: Record<Arm, ThroughputSummary[]>): WorkloadResult {
  const cpu = (r: ThroughputSummary) => r.cpuMicrosPerRequest ?? Number.NaN;
  const arm = (results: ThroughputSummary[]): ArmSummary => ({
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    cpuMicrosPerRequest: median(results.map(cpu)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  });
  const paired = (side: 'idle' | 'clean', of: (r: ThroughputSummary) => number) =>
    median(runs[side].map((r, i) => of(r) / of(runs.none[i])));
  return {
    workload: name,
    arms: { none: arm(runs.none), idle: arm(runs.idle), clean: arm(runs.clean) },
    cpuRatio: { idle: paired('idle', cpu), clean: paired('clean', cpu) },
    throughputRatio: {
      idle: paired('idle', (r) => r.requestsPerSecond),
      clean: paired('clean', (r) => r.requestsPerSecond),
    },
    cpuRounds: {
      none: runs.none.map((r) => Math.round(cpu(r))),
      idle: runs.idle.map((r) => Math.round(cpu(r))),
      clean: runs.clean.map((r) => Math.round(cpu(r))),
    },
  };
}

function render(
  result: {
    date: string;
    plan: typeof PLAN;
    machine: { cpus: number; cpuModel: string; node: string } & Record<string, unknown>;
    workloads: WorkloadResult[];
  },
  file: string,
): string {
  const m = result.machine;
  const lines = [
    `Run ${result.date}: \`npm run bench:guardrails\`, raw figures in \`bench/results/${file}\`.`,
    `Machine: ${m.cpus} x ${m.cpuModel}, Node ${m.node}; load average ${String(m.loadAverageStart)} at the start, ${String(m.loadAverageEnd)} at the end.`,
    `${result.plan.rounds} rounds of ${result.plan.seconds} s per arm and workload after ${result.plan.warmSeconds} s of warm-up each (autocannon, 50 connections), arms rotated each round; ratios are medians of each round's ratio to \`none\`.`,
    '',
    '| workload | arm | CPU µs/req | CPU vs none | req/s | req/s vs none | p50 ms | p99 ms | errors | CPU µs/req by round |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const w of result.workloads)
    for (const arm of ARMS) {
      const a = w.arms[arm];
      const cpuRatio = arm === 'none' ? '' : `${w.cpuRatio[arm].toFixed(3)}x`;
      const rpsRatio = arm === 'none' ? '' : `${w.throughputRatio[arm].toFixed(3)}x`;
      lines.push(
        `| ${w.workload} | ${arm} | ${Math.round(a.cpuMicrosPerRequest)} | ${cpuRatio} | ${Math.round(a.requestsPerSecond)} | ${rpsRatio} | ${a.p50} | ${a.p99} | ${a.errors} | ${w.cpuRounds[arm].join(', ')} |`,
      );
    }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
