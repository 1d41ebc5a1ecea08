import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes';

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
  /**
   * Starts it again on the same port: empty (the tests run it without persistence), or with what
   * an explicit `SAVE` wrote before it stopped (its dump lives in a temporary folder).
   */
  restart(): Promise<void>;
  /** Sends the process a signal: SIGSTOP hangs it (connections open, nothing answered), SIGCONT resumes. */
  signal(signal: NodeJS.Signals): void;
}

/**
 * A real redis-server on a loopback port, for the tests that share state between gateways and
 * the reservation bench.
 * `.ci/run` installs it from Debian's packages; without it these tests fail and say so.
 */
export async function startRedisServer(password?: string): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: apt-get install redis-server (.ci/run does)');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-server-'));
  let child: ChildProcess | undefined;

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const started = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          ...(password ? ['--requirepass', password] : []),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${output}`)),
        10_000,
      );
      started.stdout?.on('data', (data: Buffer) => {
        output += data.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null) return resolve();
      child.removeAllListeners('exit');
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

  await launch();
  const auth = password ? `:${encodeURIComponent(password)}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    stop: async () => {
      child?.kill('SIGCONT');
      await stop();
    },
    restart: launch,
    signal: (name) => {
      child?.kill(name);
    },
  };
}
