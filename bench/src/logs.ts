import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { BENCH_MODEL, type Target } from './measure';
import { startService, type Service } from './processes';
import { logsOnOff, renderLogsSection, storeThroughput } from './request-logs-cost';

/**
 * `npm run bench:logs`: the request logs part of the bench on its own (the full `npm run bench`
 * runs it too): a gateway with the default SQLite store against one with LOGS_STORE=off, in
 * interleaved rounds against the emulator, and the records per second each store sustains.
 */
const ROOT = join(__dirname, '..', '..');
const smoke = process.argv.includes('--smoke');
const KEY = 'gsk_bench_key';
const LISTENING = /(http:\/\/[\d.]+:\d+)/;

async function main(): Promise<void> {
  const services: Service[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-gateway-data-'));
  try {
    const emulator = await startService(
      'emulator',
      [join(ROOT, 'dist/emulator/main.js')],
      { EMULATOR_PORT: '0' },
      /listening","url":"(http:\/\/[\d.]+:\d+)/,
    );
    services.push(emulator);
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      GROQ_API_KEY: KEY,
      GROQ_BASE_URL: emulator.url,
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      DATA_DIR: dataDir,
    };
    const on = await startService('logs on', [join(ROOT, 'dist/main.js')], env, LISTENING);
    services.push(on);
    const off = await startService(
      'logs off',
      [join(ROOT, 'dist/main.js')],
      { ...env, LOGS_STORE: 'off' },
      LISTENING,
    );
    services.push(off);
    const target = (name: string, service: Service): Target => ({
      name,
      url: service.url,
      path: '/v1/chat/completions',
      headers: {},
      model: `groq/${BENCH_MODEL}`,
      pid: service.child.pid,
    });
    process.stderr.write('[bench] request logs on vs off (interleaved rounds)\n');
    const onOff = await logsOnOff(target('logs on', on), target('logs off', off), {
      rounds: smoke ? 2 : 10,
      seconds: smoke ? 1 : 5,
    });
    process.stderr.write('[bench] store records per second\n');
    const stores = await storeThroughput(ROOT, smoke ? 5_000 : 100_000);
    const result = {
      date: new Date().toISOString(),
      smoke,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        kernel: release(),
      },
      requestLogs: { ...onOff, storeRecordsPerSecond: stores },
    };
    const resultsDir = join(ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const stamp = result.date.slice(0, 19).replace(/[:T]/g, '-');
    writeFileSync(
      join(resultsDir, `${stamp}-logs${smoke ? '-smoke' : ''}.json`),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    process.stdout.write(
      `\nMachine: ${result.machine.cpus} x ${result.machine.cpuModel}, Node ${result.machine.node}\n\n${renderLogsSection(result.requestLogs)}\n`,
    );
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
