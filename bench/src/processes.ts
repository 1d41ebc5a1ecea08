import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface Service {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a Node program and waits for the line that says where it listens. */
export async function startService(
  name: string,
  args: string[],
  env: Record<string, string>,
  /** The line saying where it listens (its URL in group 1); null: do not wait for one. */
  listening: RegExp | null,
): Promise<Service> {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start:\n${output.slice(-2000)}`)),
      // Generous: on a loaded shared machine a gateway (or two cluster workers) starts slowly.
      90_000,
    );
    if (!listening) {
      clearTimeout(timer);
      resolve('');
      return;
    }
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = listening.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
      if (output.length > 1_000_000) output = output.slice(-10_000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${name} exited with ${code}:\n${output.slice(-2000)}`)),
    );
  });
  // Keep draining the pipes (log lines) so the child never blocks on a full pipe.
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    name,
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/**
 * A gateway that prints no line saying where it listens (LOG_LEVEL=warn): started on a free port
 * given to it, and ready once its liveness probe answers.
 */
export async function startQuietGateway(
  name: string,
  args: string[],
  env: Record<string, string>,
): Promise<Service> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startService(name, args, { ...env, PORT: String(port) }, null);
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/health/live`);
      await response.arrayBuffer();
      if (response.ok) return { ...service, url };
    } catch {
      // Not listening yet.
    }
    if (service.child.exitCode !== null || Date.now() > deadline) {
      await service.stop();
      throw new Error(`${name} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Groq emulator from the gateway's build, on a free port. */
export function startEmulator(root: string): Promise<Service> {
  return startService(
    'emulator',
    [join(root, 'dist/emulator/main.js')],
    { EMULATOR_PORT: '0' },
    /listening","url":"(http:\/\/[\d.]+:\d+)/,
  );
}

/** The gateway's environment in every benchmark: defaults, one key, the emulator upstream. */
export function gatewayEnvironment(upstream: string, key: string): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    GROQ_API_KEY: key,
    GROQ_BASE_URL: upstream,
    LOG_LEVEL: 'info',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  };
}

/** Peak resident memory of a process (and its cluster workers), in MB, from /proc. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  const pids = [pid, ...childPids(pid)];
  let total = 0;
  for (const id of pids) {
    try {
      const status = readFileSync(`/proc/${id}/status`, 'utf8');
      total += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      // gone already
    }
  }
  return Math.round(total);
}

/** Current resident memory in MB. */
export function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * CPU time a process and its children (a cluster primary and its workers) have had so far, in
 * microseconds: the sum of every thread's time on a CPU from /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds, unlike the 10 ms ticks of /proc/<pid>/stat). Read before and after a run, it gives
 * CPU per request, which a shared machine disturbs far less than requests per second.
 */
export function cpuMicros(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  let total = 0;
  for (const id of [pid, ...childPids(pid)]) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${id}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const onCpuNs = Number(
          readFileSync(`/proc/${id}/task/${task}/schedstat`, 'utf8').split(' ')[0],
        );
        total += onCpuNs / 1000;
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return total;
}

const HAS_CHILDREN_LISTS = existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

/**
 * A process's children (a cluster primary's workers): every thread's /proc children list, since a
 * child belongs to the thread that forked it. Kernels built without those lists get a scan of
 * every process's parent in /proc/<pid>/stat instead.
 */
function childPids(pid: number): number[] {
  if (!HAS_CHILDREN_LISTS) return childPidsByParent(pid);
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = new Set<number>();
  for (const task of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/)) {
        if (child) children.add(Number(child));
      }
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return [...children];
}

function childPidsByParent(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // the process ended between the listing and the read
    }
  }
  return children;
}

/** A free loopback port, for programs that cannot listen on port 0 and say which they got. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
