import { Injectable, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import type { LogRecord } from './log-record';
import { matchesTail, tailView, type TailFilter } from './tail-filter';

/** Bytes a tail's socket may hold unsent before new records are dropped for it (and counted). */
export const TAIL_BUFFER_BYTES = 256 * 1024;
/** A comment line this often keeps proxies from closing an idle tail. */
export const TAIL_HEARTBEAT_MS = 15_000;
/** Open tails at most, so a tab left open everywhere cannot tie the gateway up. */
export const MAX_TAILS = 100;

interface Tail {
  filter: TailFilter;
  response: ServerResponse;
  dropped: number;
}

/**
 * The live tail of the request logs: each new record, as it is built, goes to every open
 * `GET /admin/logs/tail` whose filter it matches, as a server-sent event. A slow reader never
 * slows a request: what its socket cannot take is dropped and it is told how many.
 */
@Injectable()
export class LogTail {
  private readonly logger = new Logger('RequestLogs');
  private readonly tails = new Set<Tail>();
  private heartbeat?: NodeJS.Timeout;

  constructor(lifecycle: LifecycleService) {
    // A tail never finishes by itself: end them all when the gateway starts to drain.
    lifecycle.onClosing(() => this.endAll());
  }

  get size(): number {
    return this.tails.size;
  }

  get full(): boolean {
    return this.tails.size >= MAX_TAILS;
  }

  /** Starts an event stream on `response` (headers already written); ends with the socket. */
  open(response: ServerResponse, filter: TailFilter): void {
    const tail: Tail = { filter, response, dropped: 0 };
    this.tails.add(tail);
    response.write(': tail open\n\n');
    response.on('close', () => {
      this.tails.delete(tail);
      if (this.tails.size === 0) this.stopHeartbeat();
    });
    response.on('drain', () => this.reportDropped(tail));
    this.startHeartbeat();
  }

  publish(record: LogRecord): void {
    if (this.tails.size === 0) return;
    let line: string | undefined;
    for (const tail of this.tails) {
      if (!matchesTail(record, tail.filter)) continue;
      if (tail.response.writableLength > TAIL_BUFFER_BYTES) {
        tail.dropped++;
        continue;
      }
      line ??= `event: log\ndata: ${JSON.stringify(tailView(record))}\n\n`;
      tail.response.write(line);
    }
  }

  endAll(): void {
    for (const tail of this.tails) tail.response.end();
    this.tails.clear();
    this.stopHeartbeat();
  }

  private reportDropped(tail: Tail): void {
    if (tail.dropped === 0) return;
    this.logger.warn(`request logs: live tail too slow, ${tail.dropped} record(s) not sent to it`);
    tail.response.write(`event: dropped\ndata: ${JSON.stringify({ dropped: tail.dropped })}\n\n`);
    tail.dropped = 0;
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const tail of this.tails) tail.response.write(': keep-alive\n\n');
    }, TAIL_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
