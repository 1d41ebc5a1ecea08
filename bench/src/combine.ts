import { readFileSync } from 'node:fs';
import { writeBenchmarks } from './benchmarks-file';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { median } from './measure';
import { BenchResult, renderMarkdown, targetRatios } from './report';

/**
 * `node bench/dist/combine.js bench/results/A.json B.json C.json`: BENCHMARKS.md from several full
 * runs made in one sitting. The targets are the median of the runs' ratios (each ratio read within
 * its own run), every run's value shown beside it; the full tables follow from the median run (by
 * the gateway's CPU per request against plain Nest's).
 */
const ROOT = join(__dirname, '..', '..');
const files = process.argv.slice(2);
if (files.length < 2) {
  process.stderr.write('usage: combine.js RESULT.json RESULT.json [...]\n');
  process.exit(2);
}
const runs = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResult);
const ratios = runs.map(targetRatios);
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a');
const byCpu = runs
  .map((run, index) => ({ index, value: ratios[index][0].value }))
  .sort((a, b) => a.value - b.value);
const middle = byCpu[Math.floor((byCpu.length - 1) / 2)].index;
const openStreams = runs.map((run) => run.openStreams);
const tables = renderMarkdown(runs[middle], `bench/results/${basename(files[middle])}`)
  .split('\n')
  .slice(1)
  .join('\n')
  .replace('## Targets (ratios from this run)', '## Targets of this run alone');

const lines = [
  '# Benchmarks',
  '',
  `${runs.length} full runs of \`npm run bench\` in one sitting (${runs.map((run) => run.date).join(', ')}); raw figures in ${files.map((file) => `\`bench/results/${basename(file)}\``).join(', ')}. Load average when combined: ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}.`,
  '',
  `## Targets: median of ${runs.length} runs`,
  '',
  `| target | ${runs.map((_, index) => `run ${index + 1}`).join(' | ')} | median | wanted |`,
  `| --- | ${runs.map(() => '---').join(' | ')} | --- | --- |`,
  ...ratios[0].map(
    (row, index) =>
      `| ${row.target} | ${ratios.map((r) => x(r[index].value)).join(' | ')} | ${x(median(ratios.map((r) => r[index].value)))} | ${row.wanted} |`,
  ),
  `| ${openStreams[0].count} open streams: peak RSS MB (errors) | ${openStreams.map((o) => `${o.peakRssMb} (${o.errors})`).join(' | ')} | ${median(openStreams.map((o) => o.peakRssMb))} | <= 250 MB, no errors |`,
  ...logsRows(),
  '',
  `# The tables of run ${middle + 1} (the median run by CPU per request against plain Nest)`,
  tables,
];
writeBenchmarks(join(ROOT, 'BENCHMARKS.md'), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);

/** Request logs (issue 17): the default store's paired cost against LOGS_STORE=off, per run. */
function logsRows(): string[] {
  const logs = runs.map((run) => run.requestLogs?.paired);
  if (logs.some((paired) => paired === undefined)) return [];
  const change = (ratio: number) => `${((ratio - 1) * 100).toFixed(1)} %`;
  const throughput = logs.map((paired) => paired!.throughputRatio);
  const cpu = logs.map((paired) => paired!.cpuRatio ?? Number.NaN);
  return [
    `| request logs on vs off: throughput | ${throughput.map(change).join(' | ')} | ${change(median(throughput))} | >= -5 % |`,
    `| request logs on vs off: CPU per request | ${cpu.map(change).join(' | ')} | ${change(median(cpu))} | reported |`,
  ];
}
