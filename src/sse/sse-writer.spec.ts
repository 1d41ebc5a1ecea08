import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { Observable, Subject } from 'rxjs';
import type { GatewayCall } from '../call/gateway-call';
import { GatewayError } from '../common/errors/gateway-error';
import type { MetricsService } from '../metrics/metrics.service';
import { InBandFailure } from './in-band-failure';
import { typedEventFrame } from './sse-format';
import { SseWriter } from './sse-writer';

/** The parts of a GatewayCall SseWriter uses, over a response that can close. */
function fakeCall(stream: boolean) {
  const raw = Object.assign(new EventEmitter(), { writableFinished: false });
  const headers: Record<string, string> = {};
  const reply = {
    raw,
    statusCode: 0,
    status(code: number) {
      reply.statusCode = code;
      return reply;
    },
    header(name: string, value: string) {
      headers[name] = value;
      return reply;
    },
  };
  const call = {
    stream,
    reply,
    streamedTextChars: 0,
    streamedTextFrames: 0,
  } as unknown as GatewayCall & { errorCode?: string };
  return { call, raw, headers, reply };
}

function writer() {
  const opened: number[] = [];
  const metrics = { openStreams: { inc: () => opened.push(1) } } as unknown as MetricsService;
  return { sse: new SseWriter(metrics), opened };
}

async function textOf(readable: Readable): Promise<string> {
  let text = '';
  for await (const chunk of readable) text += String(chunk);
  return text;
}

describe('SseWriter', () => {
  it('passes a JSON answer through, untouched', async () => {
    const { sse } = writer();
    const { call } = fakeCall(false);
    const values: unknown[] = [];
    await new Promise<void>((done) =>
      sse.answer(new Observable((s) => (s.next({ a: 1 }), s.complete())), call).subscribe({
        next: (v) => values.push(v),
        complete: done,
      }),
    );
    expect(values).toEqual([{ a: 1 }]);
  });

  it('opens SSE on the first chunk: headers, frames, then [DONE]', async () => {
    const { sse, opened } = writer();
    const { call, headers, reply } = fakeCall(true);
    const source = new Subject<object>();
    const out: unknown[] = [];
    sse.answer(source, call).subscribe((value) => out.push(value));
    expect(out).toEqual([]);
    source.next({ n: 1 });
    expect(out).toHaveLength(1);
    expect(reply.statusCode).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(call.firstByteAt).toBeGreaterThan(0);
    expect(opened).toHaveLength(1);
    source.next({ n: 2 });
    source.complete();
    expect(await textOf(out[0] as Readable)).toBe(
      'data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n',
    );
  });

  it('counts the generated text of the frames it sends, for a client that leaves early', () => {
    const { sse } = writer();
    const { call } = fakeCall(true);
    const source = new Subject<object>();
    sse.answer(source, call).subscribe();
    source.next({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] });
    source.next({ choices: [{ index: 0, delta: { content: 'Hello ' } }] });
    source.next({ choices: [{ index: 0, delta: { content: 'world' } }] });
    expect(call.streamedTextChars).toBe(11);
    expect(call.streamedTextFrames).toBe(2);
  });

  it('writes the frames of one turn of the event loop as one piece, later ones after', async () => {
    const { sse } = writer();
    const { call } = fakeCall(true);
    const source = new Subject<object>();
    let readable: Readable | undefined;
    sse.answer(source, call).subscribe((value) => (readable = value as Readable));
    // One upstream read holding three chunks: one write.
    source.next({ n: 1 });
    source.next({ n: 2 });
    source.next({ n: 3 });
    const pieces: string[] = [];
    (readable as Readable).on('data', (chunk) => pieces.push(String(chunk)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pieces).toEqual(['data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\n']);
    // A later read: written as soon as it came, not held for more.
    source.next({ n: 4 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(pieces).toHaveLength(2);
    expect(pieces[1]).toBe('data: {"n":4}\n\n');
    // The end writes what is pending with the done frame, in order.
    source.next({ n: 5 });
    source.complete();
    await new Promise((resolve) => (readable as Readable).once('end', resolve));
    expect(pieces.slice(2).join('')).toBe('data: {"n":5}\n\ndata: [DONE]\n\n');
  });

  it('lets an error before the first chunk reach the filter with its status', () => {
    const { sse } = writer();
    const { call } = fakeCall(true);
    const failure = new GatewayError({
      status: 429,
      message: 'slow down',
      code: 'rate_limit_exceeded',
    });
    let caught: unknown;
    sse
      .answer(new Observable((s) => s.error(failure)), call)
      .subscribe({ error: (e) => (caught = e) });
    expect(caught).toBe(failure);
  });

  it('ends with one in-band error frame after the stream opened, recorded on the call', async () => {
    const { sse } = writer();
    const { call } = fakeCall(true);
    const source = new Subject<object>();
    let readable: Readable | undefined;
    sse.answer(source, call).subscribe((value) => (readable = value as Readable));
    source.next({ n: 1 });
    source.error(
      new GatewayError({
        status: 502,
        message: 'broke',
        type: 'api_error',
        code: 'upstream_error',
      }),
    );
    expect(await textOf(readable as Readable)).toBe(
      'data: {"n":1}\n\ndata: {"error":{"message":"broke","type":"api_error","code":"upstream_error","param":null}}\n\n',
    );
    expect(call.errorCode).toBe('upstream_error');
  });

  it('records a failure a conversion told in its own event, and writes nothing after it', async () => {
    const { sse } = writer();
    const { call } = fakeCall(true);
    const source = new Subject<object>();
    let readable: Readable | undefined;
    sse
      .answer(source, call, { frame: typedEventFrame, errorFrame: () => 'event: never\n\n' })
      .subscribe((value) => (readable = value as Readable));
    source.next({ type: 'message_start' });
    source.next({ type: 'error', error: { type: 'api_error', message: 'broke' } });
    source.error(
      new InBandFailure(
        new GatewayError({ status: 502, message: 'broke', code: 'upstream_unreachable' }),
      ),
    );
    expect(await textOf(readable as Readable)).toBe(
      'event: message_start\ndata: {"type":"message_start"}\n\n' +
        'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"broke"}}\n\n',
    );
    expect(call.errorCode).toBe('upstream_unreachable');
  });

  it('cancels the upstream when the client leaves before the answer', () => {
    const { sse } = writer();
    const { call, raw } = fakeCall(false);
    let cancelled = false;
    let completed = false;
    sse
      .answer(new Observable(() => () => (cancelled = true)), call)
      .subscribe({ complete: () => (completed = true) });
    raw.emit('close');
    expect(cancelled).toBe(true);
    expect(completed).toBe(true);
    expect(raw.listenerCount('close')).toBe(0);
  });

  it('ends every open stream in-band with endAll (shutdown), and cancels their upstreams', async () => {
    const { sse } = writer();
    const { call, raw } = fakeCall(true);
    let cancelled = false;
    const source = new Observable<object>((s) => {
      s.next({ n: 1 });
      return () => (cancelled = true);
    });
    let readable: Readable | undefined;
    sse.answer(source, call).subscribe((value) => (readable = value as Readable));
    sse.endAll(
      new GatewayError({ status: 503, message: 'bye', type: 'api_error', code: 'shutting_down' }),
      [raw],
    );
    expect(cancelled).toBe(true);
    expect(await textOf(readable as Readable)).toBe(
      'data: {"n":1}\n\ndata: {"error":{"message":"bye","type":"api_error","code":"shutting_down","param":null}}\n\n',
    );
  });

  const shuttingDown = () =>
    new GatewayError({ status: 503, message: 'bye', type: 'api_error', code: 'shutting_down' });

  it('answers a JSON call still waiting with endAll (shutdown) with the failure, and cancels it', async () => {
    const { sse } = writer();
    const { call, raw } = fakeCall(false);
    let cancelled = false;
    const failure = shuttingDown();
    const answer = sse.answerJson(call, () => (cancelled = true), new Promise<never>(() => {}));
    sse.endAll(failure, [raw]);
    await expect(answer).rejects.toBe(failure);
    expect(cancelled).toBe(true);
  });

  it('answers a call not yet streaming with endAll (shutdown) with the failure, and cancels it', () => {
    for (const streamed of [false, true]) {
      const { sse } = writer();
      const { call, raw } = fakeCall(streamed);
      let cancelled = false;
      let caught: unknown;
      sse
        .answer(new Observable(() => () => (cancelled = true)), call)
        .subscribe({ error: (e) => (caught = e) });
      const failure = shuttingDown();
      sse.endAll(failure, [raw]);
      expect(caught).toBe(failure);
      expect(cancelled).toBe(true);
    }
  });

  it('lets a JSON answer already given finish when endAll comes before its completion', () => {
    const { sse } = writer();
    const { call, raw } = fakeCall(false);
    const source = new Subject<object>();
    const values: unknown[] = [];
    let caught: unknown;
    let completed = false;
    sse.answer(source, call).subscribe({
      next: (v) => values.push(v),
      error: (e) => (caught = e),
      complete: () => (completed = true),
    });
    source.next({ a: 1 });
    sse.endAll(shuttingDown(), [raw]);
    expect(values).toEqual([{ a: 1 }]);
    expect(caught).toBeUndefined();
    // Its upstream is gone: the answer completes rather than wait for a completion never sent.
    expect(completed).toBe(true);
  });

  it('keeps nothing for a call that ended before it was answered (its client left early)', () => {
    const { sse } = writer();
    const { call, raw } = fakeCall(false);
    (call as { ended: boolean }).ended = true;
    let cancels = 0;
    void sse.answerJson(call, () => cancels++, new Promise(() => undefined)).catch(() => undefined);
    sse.answer(new Subject<object>(), call).subscribe({ error: () => undefined });
    const listening = raw.eventNames().filter((name) => name !== 'close');
    expect(listening).toEqual([]);
    sse.endAll(shuttingDown(), [raw]);
    expect(cancels).toBe(0);
  });

  it('leaves nothing on the response once a JSON answer has settled', async () => {
    const { sse } = writer();
    const { call, raw } = fakeCall(false);
    let cancels = 0;
    await sse.answerJson(call, () => cancels++, Promise.resolve({ a: 1 }));
    expect(raw.eventNames()).toEqual([]);
    sse.endAll(shuttingDown(), [raw]);
    expect(cancels).toBe(0);
  });

  it('reaches only the calls on the responses it is given', async () => {
    const { sse } = writer();
    const first = fakeCall(false);
    const second = fakeCall(false);
    const cancelled: string[] = [];
    const failure = shuttingDown();
    const one = sse.answerJson(first.call, () => cancelled.push('first'), new Promise(() => {}));
    const two = sse.answerJson(second.call, () => cancelled.push('second'), new Promise(() => {}));
    sse.endAll(failure, [second.raw]);
    await expect(two).rejects.toBe(failure);
    expect(cancelled).toEqual(['second']);
    sse.endAll(failure, [first.raw]);
    await expect(one).rejects.toBe(failure);
    expect(cancelled).toEqual(['second', 'first']);
  });
});
