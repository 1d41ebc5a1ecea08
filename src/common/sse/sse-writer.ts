import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Observable, Subscription } from 'rxjs';
import { MetricsService } from '../../metrics/metrics.service';
import { GatewayError } from '../errors/gateway-error';
import { toGatewayError } from '../errors/internal-error';
import { OPENAI_CHAT_SSE, SseFormat } from './sse-format';
import { untilClientLeaves } from './until-client-leaves';

/**
 * The project's SSE writer and the client-disconnect wire, for a handler's Observable.
 *
 * JSON calls pass through; if the client leaves first, the Observable is unsubscribed, which
 * aborts the upstream request.
 *
 * For `stream: true` it subscribes at once and answers nothing until the first chunk, so an error
 * before it (validation, an upstream 429) still reaches the exception filter with its real status.
 * On the first chunk it sets the SSE headers and hands Nest one push-mode Readable; later chunks
 * are pushed as frames, completion writes the format's done frame, a later error becomes one
 * in-band error frame. Fastify destroys the Readable when the client leaves; that unsubscribes.
 *
 * Chat completions call it from the controller (no interceptor chain on the hottest route);
 * routes with conversion interceptors reach it through SseInterceptor, outermost.
 */
@Injectable()
export class SseWriter {
  /** How to end each open stream early, with an error event (shutdown's grace is over). */
  private readonly openStreams = new Set<(failure: GatewayError) => void>();

  constructor(private readonly metrics: MetricsService) {}

  /** Ends every open stream with `failure` as its in-band error event and cancels its upstream. */
  endAll(failure: GatewayError): void {
    for (const end of [...this.openStreams]) end(failure);
  }

  answer<T>(
    source: Observable<T>,
    request: FastifyRequest,
    reply: FastifyReply,
    format: SseFormat = OPENAI_CHAT_SSE,
  ): Observable<T | Readable> {
    const handled = source.pipe(untilClientLeaves<T>(reply.raw));
    if (!isStreamRequest(request)) return handled;
    const requestContext = request.gateway;
    if (requestContext) requestContext.stream = true;
    return streamAsSse(handled, reply, format, (end) => {
      if (requestContext) requestContext.firstByteAt = performance.now();
      this.metrics.openStreams.inc();
      this.openStreams.add(end);
      reply.raw.once('close', () => {
        this.metrics.openStreams.dec();
        this.openStreams.delete(end);
      });
    });
  }
}

function isStreamRequest(request: FastifyRequest): boolean {
  const body = request.body as { stream?: unknown } | null | undefined;
  return typeof body === 'object' && body !== null && body.stream === true;
}

function streamAsSse(
  source: Observable<unknown>,
  reply: FastifyReply,
  format: SseFormat,
  onOpen: (end: (failure: GatewayError) => void) => void,
): Observable<Readable> {
  return new Observable<Readable>((outer) => {
    const upstream = new Subscription();
    let stream: Readable | undefined;
    let ended = false;

    const fail = (failure: GatewayError) => {
      if (!stream || ended) return;
      ended = true;
      const call = reply.request?.gateway;
      if (call && failure.code) call.errorCode = failure.code;
      stream.push(format.errorFrame(failure));
      stream.push(null);
    };

    const open = (): Readable => {
      const readable = new Readable({
        read() {},
        destroy(error, callback) {
          upstream.unsubscribe();
          callback(error);
        },
      });
      reply
        .status(200)
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-accel-buffering', 'no');
      stream = readable;
      onOpen((failure) => {
        fail(failure);
        upstream.unsubscribe();
      });
      outer.next(readable);
      outer.complete();
      return readable;
    };

    upstream.add(
      source.subscribe({
        next(value) {
          if (!ended) (stream ?? open()).push(format.frame(value));
        },
        error(error: unknown) {
          if (!stream) {
            outer.error(error);
            return;
          }
          fail(toGatewayError(error));
        },
        complete() {
          if (ended) return;
          ended = true;
          const target = stream ?? open();
          if (format.doneFrame) target.push(format.doneFrame);
          target.push(null);
        },
      }),
    );
    // Nest unsubscribes from `outer` once it has the Readable; the upstream must live on then.
    return () => {
      if (!stream) upstream.unsubscribe();
    };
  });
}
