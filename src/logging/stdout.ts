import { destination } from 'pino';

/**
 * The one stdout stream every log line goes through, written asynchronously: a synchronous write
 * per request stalls the event loop whenever the reader of the pipe is slow. pino flushes it when
 * the process exits.
 */
export const stdout = destination({ dest: 1, sync: false });

/**
 * The access log's own stdout stream: its lines (one per request) are written in batches of 3.5 to
 * 4 KB, and at least every 100 ms, rather than one write per line (a write per request was about
 * 3 % of a request's CPU when profiled; each write to a pipe costs 15-20 µs of the event loop on a
 * busy machine, mostly waking the reader). Each write is at most 4 KB of whole lines, within a
 * pipe's atomic write size, so its lines never interleave with the other stream's. Flushed on exit.
 */
export const accessStdout = destination({
  dest: 1,
  sync: false,
  minLength: 3584,
  maxWrite: 4096,
  periodicFlush: 100,
});
