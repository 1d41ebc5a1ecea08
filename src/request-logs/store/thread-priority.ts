import { getPriority, setPriority } from 'node:os';

/**
 * How much lower than the gateway's the SQLite writer thread runs (Linux `nice` steps) when
 * records may be dropped (`LOGS_ON_OVERFLOW=drop`): calls come first. Under CFS a thread 10 steps
 * down gets about a tenth of the share of one at the gateway's level when both want the same
 * core, and all of any core nobody else wants.
 */
export const WRITER_NICENESS = 10;

/**
 * Lowers the calling thread's CPU priority by `steps` nice levels (at most to 19). Linux only:
 * there `setpriority` on pid 0 applies to the calling thread, elsewhere to the whole process, which
 * must never be lowered. Lowering needs no privilege; a failure leaves the priority as it was.
 * Returns the thread's nice value when it was changed.
 */
export function lowerThisThread(steps: number): number | undefined {
  if (steps <= 0 || process.platform !== 'linux') return undefined;
  try {
    const nice = Math.min(19, getPriority(0) + steps);
    setPriority(0, nice);
    return nice;
  } catch {
    return undefined;
  }
}
