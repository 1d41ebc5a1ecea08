import autocannon from 'autocannon';
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chatBody, BENCH_MODEL } from './measure';
import { cpuMicros, gatewayEnvironment, Service, startEmulator, startService } from './processes';
import { CpuProfile, selfTimes } from './cpu-profile';

/**
 * `npm run bench:profile [-- --stream] [-- --requests N]`: where each proxy's CPU goes in steady
 * state. The floor, the plain-Nest reference and the gateway run with V8's sampling profiler
 * preloaded (profile-hook); each is warmed up, then profiled over a fixed number of requests
 * (JSON chat, or streamed with `--stream`) while its CPU time is read from /proc. Printed: CPU µs
 * per request, and its split by component and by function (self time), as µs per request.
 * `--only gateway` profiles one target; `--env NAME=value` adds to the gateway's environment;
 * `--prompt-bytes N` sends a prompt of N bytes of prose instead of `Say hello`.
 * Profiles are kept in bench/results/profiles/ for a closer look (Chrome DevTools opens them).
 */
const ROOT = join(__dirname, '..', '..');
const KEY = 'gsk_bench_key';
const LISTENING = /(http:\/\/[\d.]+:\d+)/;
const stream = process.argv.includes('--stream');
const requestsArg = process.argv.indexOf('--requests');
const requests = requestsArg > 0 ? Number(process.argv[requestsArg + 1]) : 6000;
const connections = 16;
const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : '';
/** `--env NAME=value` (repeatable): extra environment for the gateway, to switch a part off. */
const gatewayExtraEnv = Object.fromEntries(
  process.argv
    .flatMap((arg, index) => (process.argv[index - 1] === '--env' ? [arg] : []))
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const top = Number(process.env.PROFILE_TOP ?? 25);

async function main(): Promise<void> {
  const dir = join(ROOT, 'bench', 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  const services: Service[] = [];
  try {
    const emulator = await startEmulator(ROOT);
    services.push(emulator);
    const hook = ['-r', join(ROOT, 'bench/dist/profile-hook.js')];
    interface ProfiledTarget {
      name: string;
      main: string;
      env: Record<string, string>;
    }
    const all: ProfiledTarget[] = [
      {
        name: 'bare proxy',
        main: 'bench/dist/bare-proxy.js',
        env: { UPSTREAM: emulator.url, GROQ_API_KEY: KEY, PORT: '0' },
      },
      {
        name: 'plain nest',
        main: 'bench/dist/plain-nest.js',
        env: { UPSTREAM: emulator.url, GROQ_API_KEY: KEY, PORT: '0' },
      },
      {
        name: 'gateway',
        main: 'dist/main.js',
        env: {
          ...gatewayEnvironment(emulator.url, KEY),
          ...gatewayExtraEnv,
        },
      },
    ];
    const targets = all.filter((target) => !only || target.name === only);
    // `--prompt-bytes N`: a longer prompt of ordinary prose (what input checks read).
    const promptArg = process.argv.indexOf('--prompt-bytes');
    const prompt =
      promptArg > 0
        ? 'The quarterly report covers revenue, churn and the hiring plan for the next two quarters. '
            .repeat(Math.ceil(Number(process.argv[promptArg + 1]) / 90))
            .slice(0, Number(process.argv[promptArg + 1]))
        : 'Say hello';
    const body = chatBody(`groq/${BENCH_MODEL}`, prompt, stream);
    const lines: string[] = [
      `# CPU profile, ${stream ? 'streamed' : 'JSON'} chat, ${requests} requests, ${connections} connections`,
      '',
      `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')} at the start`,
    ];
    const byComponent = new Map<string, Map<string, number>>();
    for (const target of targets) {
      const out = join(
        dir,
        `${target.name.replace(/ /g, '-')}${stream ? '-stream' : ''}.cpuprofile`,
      );
      const service = await startService(
        target.name,
        [...hook, join(ROOT, target.main)],
        { ...target.env, PROFILE_OUT: out },
        LISTENING,
      );
      services.push(service);
      const fire = (amount: number) =>
        autocannon({
          url: `${service.url}/v1/chat/completions`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          connections,
          amount,
        });
      await fire(Math.min(3000, requests));
      const written = new Promise<void>((resolve) => {
        const onData = (data: Buffer) => {
          if (data.toString().includes('profile written')) resolve();
        };
        service.child.stdout?.on('data', onData);
      });
      service.child.kill('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = cpuMicros(service.child.pid) ?? 0;
      const result = await fire(requests);
      const cpuPerRequest = ((cpuMicros(service.child.pid) ?? 0) - before) / result.requests.total;
      service.child.kill('SIGUSR2');
      await written;
      const profile = JSON.parse(readFileSync(out, 'utf8')) as CpuProfile;
      const { functions, components } = selfTimes(profile);
      const errors = result.errors + result.timeouts + result.non2xx;
      byComponent.set(
        target.name,
        new Map(components.map((c) => [c.name, c.share * cpuPerRequest])),
      );
      lines.push(
        '',
        `## ${target.name}: ${cpuPerRequest.toFixed(0)} CPU µs per request (profiled), ${result.requests.average} req/s, ${errors} errors`,
        '',
        '| component | share | µs/req |',
        '| --- | --- | --- |',
        ...components
          .filter((c) => c.share >= 0.005)
          .map(
            (c) =>
              `| ${c.name} | ${(c.share * 100).toFixed(1)} % | ${(c.share * cpuPerRequest).toFixed(1)} |`,
          ),
        '',
        '| function (self time) | share | µs/req |',
        '| --- | --- | --- |',
        ...functions
          .slice(0, top)
          .map(
            (f) =>
              `| ${f.name} | ${(f.share * 100).toFixed(1)} % | ${(f.share * cpuPerRequest).toFixed(1)} |`,
          ),
      );
      await service.stop();
    }
    const nest = byComponent.get('plain nest');
    const gateway = byComponent.get('gateway');
    if (nest && gateway) {
      const names = [...new Set([...gateway.keys(), ...nest.keys()])]
        .map((name) => ({ name, gap: (gateway.get(name) ?? 0) - (nest.get(name) ?? 0) }))
        .sort((a, b) => b.gap - a.gap)
        .filter((row) => Math.abs(row.gap) >= 3);
      lines.push(
        '',
        '## Where the gateway spends more than plain Nest (µs per request, by component)',
        '',
        '| component | plain nest | gateway | gateway - plain nest |',
        '| --- | --- | --- | --- |',
        ...names.map(
          ({ name, gap }) =>
            `| ${name} | ${(nest.get(name) ?? 0).toFixed(1)} | ${(gateway.get(name) ?? 0).toFixed(1)} | ${gap >= 0 ? '+' : ''}${gap.toFixed(1)} |`,
        ),
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all(services.map((service) => service.stop()));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
