import type { LogRecord } from '../log-record';

/**
 * The `request_logs` table as both stores hold it: the record's own columns, except that time is
 * epoch ms, booleans are 0/1, guardrail outcomes are JSON text, and `fallback_used` is not stored
 * (it is `fallbacks > 0`).
 */
export type RequestLogRow = Omit<LogRecord, 'time' | 'stream' | 'fallback_used' | 'guardrails'> & {
  time_ms: number;
  stream: number;
  guardrails: string | null;
};

export interface LogsDatabase {
  request_logs: RequestLogRow;
}
