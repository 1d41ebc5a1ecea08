/** A real PostgreSQL server for tests and the bench (initdb/pg_ctl in a temp folder). */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './processes';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
  /** Stops the server, keeping its data (an outage); `restart` brings it back on the same port. */
  halt(): Promise<void>;
  restart(): Promise<void>;
}

/** Debian puts the server's binaries in /usr/lib/postgresql/<version>/bin, not on PATH. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error('PostgreSQL is not installed: apt-get install postgresql (.ci/run does)');
  return join(root, versions[0], 'bin');
}

/**
 * A real PostgreSQL server in a temporary folder, on a free loopback port, with a `gateway`
 * database. initdb refuses to run as root, so as root it runs as Debian's `postgres` user.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'gateway-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    const result = spawnSync(command, argv, { encoding: 'utf8' });
    if (result.status !== 0)
      throw new Error(`${tool} failed (${result.status}): ${result.stderr || result.stdout}`);
  };
  const port = await freePort();
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'gateway', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const start = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      'start',
    ]);
  start();
  let running = true;
  const admin = new Client({ host: '127.0.0.1', port, user: 'gateway', database: 'postgres' });
  await admin.connect();
  await admin.query('create database gateway');
  await admin.end();
  return {
    url: `postgres://gateway:unused-password@127.0.0.1:${port}/gateway`,
    halt: () => {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      running = false;
      return Promise.resolve();
    },
    restart: () => {
      start();
      running = true;
      return Promise.resolve();
    },
    stop: () => {
      try {
        if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return Promise.resolve();
    },
  };
}
