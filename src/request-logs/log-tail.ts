import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ServerResponse } from 'node:http';
import type { AllConfig } from '../config/gateway-config';
import { MAX_TAILS } from '../config/request-logs-config';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import type { LogRecord } from './log-record';
import { matchesTail, tailView, type TailFilter } from './tail-filter';

/** Bytes a tail's socket may hold unsent before new records are dropped for it (and counted). */
export const TAIL_BUFFER_BYTES = 256 * 1024;
/** A comment line this often keeps proxies from closing an idle tail. */
export const TAIL_HEARTBEAT_MS = 15_000;
interface Tail {
  filter: TailFilter;
  response: ServerResponse;
  dropped: number;
  /** Whose tail it is (see `open`). */
  caller: string;
}

/** Why a tail cannot open: every tail of the replica is taken, or every one the caller may hold. */
export type TailRefusal = 'replica' | 'caller';

/**
 * The live tail of the request logs: each new record, as it is built, goes to every open
 * `GET /admin/logs/tail` whose filter it matches, as a server-sent event. A slow reader never
 * slows a request: what its socket cannot take is dropped and it is told how many.
 */
@Injectable()
export class LogTail {
  private readonly logger = new Logger('RequestLogs');
  private readonly tails = new Set<Tail>();
  private readonly byCaller = new Map<string, number>();
  private heartbeat?: NodeJS.Timeout;
  /** LOGS_TAIL_MAX_PER_CALLER: so one caller cannot take every tail of the replica. */
  readonly maxPerCaller: number;

  constructor(configService: ConfigService<AllConfig, true>, lifecycle: LifecycleService) {
    this.maxPerCaller = configService.get('gateway', { infer: true }).requestLogs.tailMaxPerCaller;
    // A tail never finishes by itself: end them all when the gateway starts to drain.
    lifecycle.onClosing(() => this.endAll());
  }

  get size(): number {
    return this.tails.size;
  }

  /** Why `caller` cannot open another tail now, if it cannot. */
  refusal(caller: string): TailRefusal | undefined {
    if (this.tails.size >= MAX_TAILS) return 'replica';
    if ((this.byCaller.get(caller) ?? 0) >= this.maxPerCaller) return 'caller';
    return undefined;
  }

  /**
   * Starts an event stream on `response` (headers already written); ends with the socket.
   * `caller` is who answers for it (a person, for a token they made): their tails are counted.
   */
  open(response: ServerResponse, filter: TailFilter, caller: string): void {
    // The client may have left while its access was checked: its close has fired already, and a
    // tail counted now would never be removed (and would hold one of the caller's slots).
    if (response.destroyed || response.writableEnded) return;
    const tail: Tail = { filter, response, dropped: 0, caller };
    this.tails.add(tail);
    this.byCaller.set(caller, (this.byCaller.get(caller) ?? 0) + 1);
    response.write(': tail open\n\n');
    response.on('close', () => this.closed(tail));
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
    this.byCaller.clear();
    this.stopHeartbeat();
  }

  private closed(tail: Tail): void {
    if (!this.tails.delete(tail)) return;
    const left = (this.byCaller.get(tail.caller) ?? 1) - 1;
    if (left > 0) this.byCaller.set(tail.caller, left);
    else this.byCaller.delete(tail.caller);
    if (this.tails.size === 0) this.stopHeartbeat();
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
