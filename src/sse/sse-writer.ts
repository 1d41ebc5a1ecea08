import { Injectable } from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Observable, Subscription } from 'rxjs';
import type { GatewayCall } from '../call/gateway-call';
import type { GatewayError } from '../common/errors/gateway-error';
import { toGatewayError } from '../common/errors/internal-error';
import { MetricsService } from '../metrics/metrics.service';
import { InBandFailure } from './in-band-failure';
import { OPENAI_CHAT_SSE, SseFormat } from './sse-format';
import { streamedTextLength } from './streamed-text';

/** The event a call's response gets when shutdown's grace is over: `(failure: GatewayError)`. */
const GRACE_OVER = Symbol('gateway grace over');

/**
 * The project's SSE writer and the client-disconnect wire, for a handler's Observable.
 *
 * It subscribes at once and answers nothing until the first value, so an error before it
 * (admission, an upstream 429) still reaches the exception filter with its real status. Whether
 * the call streams is the call's own `stream` (from the validated body, known once the handler has
 * run). A JSON call's value passes through; if the client leaves first, the upstream is
 * unsubscribed, which aborts the request. A streamed call gets the SSE headers on its first chunk
 * and Nest one push-mode Readable; later chunks are pushed as frames, completion writes the
 * format's done frame, a later error becomes one in-band error frame (only recorded on the call
 * when a conversion has written its own: InBandFailure). Fastify destroys the Readable when the
 * client leaves; that unsubscribes.
 *
 * Chat completions call it from the controller (no interceptor chain on the hottest route);
 * routes with conversion interceptors reach it through SseInterceptor, outermost.
 */
@Injectable()
export class SseWriter {
  constructor(private readonly metrics: MetricsService) {}

  /**
   * Ends every call still being answered on `responses` (the open connections' current ones) with
   * `failure` (shutdown): in-band on an open stream, else as the error answer (the route's
   * exception filter writes it in its API's envelope); each upstream is cancelled. Each call
   * listens for this on its own response, from its start to its end: no registry of calls (see
   * OpenResponses for why).
   */
  endAll(failure: GatewayError, responses: Iterable<EventEmitter>): void {
    for (const response of [...responses]) response.emit(GRACE_OVER, failure);
  }

  /**
   * A JSON answer made as a Promise (chat's one-attempt path): a client that leaves before it
   * calls `cancel`, as `answer` unsubscribes its Observable then.
   */
  answerJson<T>(call: GatewayCall, cancel: () => void, answer: Promise<T>): Promise<T> {
    const response = call.reply.raw;
    return new Promise<T>((resolve, reject) => {
      const onClose = () => {
        if (!response.writableFinished) cancel();
      };
      const onGraceOver = (failure: GatewayError) => {
        cancel();
        reject(failure);
      };
      response.on('close', onClose);
      // A call already ended (its client left while a guard waited) is never ended again.
      if (!call.ended) response.on(GRACE_OVER, onGraceOver);
      answer.then(
        (value) => {
          response.off('close', onClose);
          response.off(GRACE_OVER, onGraceOver);
          resolve(value);
        },
        (error: unknown) => {
          response.off('close', onClose);
          response.off(GRACE_OVER, onGraceOver);
          reject(error);
        },
      );
    });
  }

  answer<T>(
    source: Observable<T>,
    call: GatewayCall,
    format: SseFormat = OPENAI_CHAT_SSE,
  ): Observable<T | Readable> {
    return new Observable<T | Readable>((outer) => {
      const response = call.reply.raw;
      const upstream = new Subscription();
      let stream: Readable | undefined;
      let ended = false;
      // The last value framed: a numbered stream numbers its error event after it.
      let last: unknown;
      // Frames of one turn of the event loop, written as one piece: one upstream read often
      // holds many chunks, and a socket write each was most of a stream's CPU when profiled.
      // The bytes and their order are the same; a frame waits at most for the current callback.
      let pending = '';
      let flushQueued = false;
      const flush = () => {
        flushQueued = false;
        if (!pending || !stream) return;
        const text = pending;
        pending = '';
        if (!stream.destroyed) stream.push(text);
      };
      const write = (frame: string) => {
        pending += frame;
        if (!flushQueued) {
          flushQueued = true;
          queueMicrotask(flush);
        }
      };
      /**
       * The last frame (an error or the done frame, if any), then the end. The socket is corked
       * over both: the last frames and the chunked encoding's terminator (written by the
       * response's end, which uncorks) leave in one write rather than two; a write system call
       * saved a stream. Uncorked at the next turn in any case.
       */
      const end = (frame: string | undefined) => {
        if (frame) pending += frame;
        if (stream) corkUntilEnd(response.socket);
        flush();
        stream?.push(null);
      };

      /** `told`: the conversion has already written the failure as its own last event. */
      const fail = (failure: GatewayError, told = false) => {
        if (!stream || ended) return;
        ended = true;
        if (failure.code) call.errorCode = failure.code;
        end(told ? undefined : format.errorFrame(failure, last));
      };

      const open = (): Readable => {
        const readable = new Readable({
          read() {},
          destroy(error, callback) {
            upstream.unsubscribe();
            callback(error);
          },
        });
        call.reply
          .status(200)
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache')
          .header('x-accel-buffering', 'no');
        stream = readable;
        call.firstByteAt = performance.now();
        // Counted down at the call's end (MetricsService, from the ended event).
        this.metrics.openStreams.inc();
        outer.next(readable);
        outer.complete();
        return readable;
      };

      // Shutdown: an open stream ends in-band; before that the failure is the answer, unless a
      // JSON value is already on its way.
      let answered = false;
      // It stays on the response, and goes with it: once the call has ended, its connection no
      // longer points at this response, so shutdown never emits it there.
      if (!call.ended)
        response.once(GRACE_OVER, (failure: GatewayError) => {
          if (stream) fail(failure);
          upstream.unsubscribe();
          // A JSON value already passed on is the answer: end it rather than leave it waiting.
          if (!stream) {
            if (answered) outer.complete();
            else outer.error(failure);
          }
        });
      // A client that leaves before the answer (JSON, or a stream not yet opened) cancels it.
      const onClose = () => {
        if (!response.writableFinished && !stream) {
          upstream.unsubscribe();
          outer.complete();
        }
      };
      response.once('close', onClose);
      upstream.add(() => response.off('close', onClose));
      upstream.add(
        source.subscribe({
          next(value) {
            if (ended) return;
            if (!stream) {
              if (!call.stream) {
                answered = true;
                outer.next(value);
                return;
              }
              open();
            }
            // What the client is sent is what it is charged for if it leaves before Groq's usage.
            const text = streamedTextLength(value);
            if (text > 0) {
              call.streamedTextChars += text;
              call.streamedTextFrames++;
            }
            write(format.frame((last = value)));
          },
          error(error: unknown) {
            const told = error instanceof InBandFailure;
            if (!stream) {
              outer.error(told ? error.failure : error);
              return;
            }
            fail(toGatewayError(told ? error.failure : error), told);
          },
          complete() {
            if (!stream && !call.stream) {
              outer.complete();
              return;
            }
            if (ended) return;
            ended = true;
            if (!stream) open();
            end(format.doneFrame);
          },
        }),
      );
      // Nest unsubscribes from `outer` once it has the Readable; the upstream must live on then.
      return () => {
        if (!stream) upstream.unsubscribe();
      };
    });
  }
}

/** Corks `socket` until the response's end uncorks it, or the next turn of the event loop. */
function corkUntilEnd(socket: Socket | null): void {
  if (!socket || socket.destroyed || typeof socket.cork !== 'function') return;
  socket.cork();
  setImmediate(() => {
    if (socket.writableCorked > 0) socket.uncork();
  });
}
