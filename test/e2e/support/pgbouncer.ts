import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../bench/src/processes';

export interface PgBouncer {
  /** `postgresUrl` with its host and port swapped for PgBouncer's. */
  url: string;
  stop(): Promise<void>;
}

const BINARY = '/usr/sbin/pgbouncer';

/**
 * A real PgBouncer (Debian's `pgbouncer`, installed by .ci/run) in transaction mode in front of
 * the Postgres at `postgresUrl`, on a free loopback port, trusting every user the URL names. It
 * refuses to run as root, so as root it runs as Debian's `postgres` user.
 */
export async function startPgBouncer(postgresUrl: string): Promise<PgBouncer> {
  if (!existsSync(BINARY))
    throw new Error('PgBouncer is not installed: apt-get install pgbouncer (.ci/run does)');
  const upstream = new URL(postgresUrl);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-pgbouncer-'));
  const port = await freePort();
  writeFileSync(join(dir, 'users.txt'), `"${decodeURIComponent(upstream.username)}" ""\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'default_pool_size = 4',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const file of ['', 'users.txt', 'pgbouncer.ini']) chownSync(join(dir, file), uid, gid);
  }
  const args = [join(dir, 'pgbouncer.ini')];
  const child: ChildProcess = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', BINARY, ...args], { stdio: 'ignore' })
    : spawn(BINARY, args, { stdio: 'ignore' });
  await listening(port, child);
  const url = new URL(postgresUrl);
  url.port = String(port);
  return {
    url: url.toString(),
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        // runuser does not pass a signal on: PgBouncer's own pid is in its pid file.
        const pid = Number(readFileSync(join(dir, 'pgbouncer.pid'), 'utf8').trim());
        process.kill(pid, 'SIGINT');
      }),
  };
}

async function listening(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('pgbouncer did not listen within 5 s');
}
