import { destination } from 'pino';

/**
 * The one stdout stream every log line goes through, written asynchronously: a synchronous write
 * per request stalls the event loop whenever the reader of the pipe is slow. pino flushes it when
 * the process exits.
 */
export const stdout = destination({ dest: 1, sync: false });
