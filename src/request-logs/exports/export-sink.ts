import type { LogRecord } from '../log-record';

/** One export destination: sends one batch, throws to have it retried. */
export interface ExportSink {
  readonly name: string;
  send(batch: readonly LogRecord[]): Promise<void>;
  close?(): Promise<void>;
}
