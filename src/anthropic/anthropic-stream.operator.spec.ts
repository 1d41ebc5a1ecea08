import { concat, firstValueFrom, from, Observable, tap, throwError, toArray } from 'rxjs';
import { GatewayError } from '../common/errors/gateway-error';
import type { ChatCompletionChunk } from '../providers/chat-types';
import { InBandFailure } from '../sse/in-band-failure';
import type { AnthropicStreamEvent } from './anthropic-types';
import { chatChunksToAnthropicEvents } from './anthropic-stream.operator';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
const chunk = (
  delta: ChatCompletionChunk['choices'][0]['delta'],
  finish: ChatCompletionChunk['choices'][0]['finish_reason'] = null,
  extra = {},
): ChatCompletionChunk => ({
  ...base,
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };

describe('chatChunksToAnthropicEvents', () => {
  it("emits Anthropic's event order for text", async () => {
    const events = await firstValueFrom(
      from([
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'Hi' }),
        chunk({}, 'stop', { x_groq: { usage } }),
      ]).pipe(chatChunksToAnthropicEvents('claude-x', []), toArray()),
    );
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[4]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 3, output_tokens: 4 },
    });
    expect((events[0].message as { model: string }).model).toBe('claude-x');
  });

  it('opens a tool_use block per call with input_json_delta', async () => {
    const events = await firstValueFrom(
      from([
        chunk({ content: 'Let me check.' }),
        chunk({
          tool_calls: [{ index: 0, id: 't1', function: { name: 'w', arguments: '{"a":' } }],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
        chunk({}, 'tool_calls'),
      ]).pipe(chatChunksToAnthropicEvents('m', []), toArray()),
    );
    expect(
      events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block),
    ).toEqual([
      { type: 'text', text: '' },
      { type: 'tool_use', id: 't1', name: 'w', input: {} },
    ]);
    expect(
      events
        .filter((e) => (e.delta as { type?: string })?.type === 'input_json_delta')
        .map((e) => (e.delta as { partial_json: string }).partial_json),
    ).toEqual(['{"a":', '1}']);
    expect(events.find((e) => e.type === 'message_delta')?.delta).toEqual({
      stop_reason: 'tool_use',
      stop_sequence: null,
    });
  });

  it("ends the text at a stop sequence, and the message with the upstream's usage", async () => {
    const upstream = new Observable<ChatCompletionChunk>((subscriber) => {
      subscriber.next(chunk({ content: 'one two ' }));
      setTimeout(() => {
        subscriber.next(chunk({ content: 'END three' }));
        subscriber.next(chunk({ content: ' four' }));
        subscriber.next(chunk({}, 'stop', { x_groq: { usage } }));
        subscriber.complete();
      }, 1);
    });
    const events = await firstValueFrom(
      upstream.pipe(chatChunksToAnthropicEvents('m', ['END']), toArray()),
    );
    const text = events
      .filter((e) => e.type === 'content_block_delta')
      .map((e) => (e.delta as { text: string }).text)
      .join('');
    expect(text).toBe('one two ');
    expect(events.slice(-3).map((e) => e.type)).toEqual([
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[events.length - 2]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' },
      usage: { input_tokens: 3, output_tokens: 4 },
    });
  });

  it('closes the text block as soon as the stop sequence matches', async () => {
    const seen: string[] = [];
    const upstream = new Observable<ChatCompletionChunk>((subscriber) => {
      subscriber.next(chunk({ content: 'one END' }));
      // The rest of the answer comes later: the block is closed by then.
      setTimeout(() => {
        seen.push('later');
        subscriber.next(chunk({}, 'stop', { x_groq: { usage } }));
        subscriber.complete();
      }, 5);
    });
    await firstValueFrom(
      upstream.pipe(
        chatChunksToAnthropicEvents('m', ['END']),
        tap((event) => seen.push(event.type)),
        toArray(),
      ),
    );
    expect(seen.indexOf('content_block_stop')).toBeLessThan(seen.indexOf('later'));
    expect(seen.indexOf('message_delta')).toBeGreaterThan(seen.indexOf('later'));
  });

  /** The events a stream emits, and how it ended: 'complete' or the error it ended with. */
  const settle = (source: Observable<ChatCompletionChunk>, stops: string[] = []) =>
    new Promise<{ events: AnthropicStreamEvent[]; end: unknown }>((resolve) => {
      const events: AnthropicStreamEvent[] = [];
      source.pipe(chatChunksToAnthropicEvents('m', stops)).subscribe({
        next: (event) => events.push(event),
        error: (end: unknown) => resolve({ events, end }),
        complete: () => resolve({ events, end: 'complete' }),
      });
    });

  it('turns a failure after message_start into one error event, and ends failed', async () => {
    const failure = new GatewayError({
      status: 502,
      message: 'cut',
      type: 'api_error',
      code: 'upstream_unreachable',
    });
    const { events, end } = await settle(
      concat(
        from([chunk({ content: 'one' })]),
        throwError(() => failure),
      ),
    );
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'error',
    ]);
    expect(events.at(-1)).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'cut' },
    });
    // The client has been told; the failure still reaches the call (SseWriter records it).
    expect(end).toBeInstanceOf(InBandFailure);
    expect((end as InBandFailure).failure).toBe(failure);
  });

  it('passes a failure before message_start on, so the HTTP status can carry it', async () => {
    const failure = new GatewayError({ status: 429, message: 'slow down' });
    const { events, end } = await settle(throwError(() => failure));
    expect(events).toEqual([]);
    expect(end).toBe(failure);
  });

  it('ends the message normally when the upstream fails after the stop sequence', async () => {
    const { events, end } = await settle(
      concat(
        from([chunk({ content: 'one END two' })]),
        throwError(() => new Error('reset')),
      ),
      ['END'],
    );
    // The answer the client asked for was whole: not a failure.
    expect(end).toBe('complete');
    expect(events.map((e) => e.type).slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(events.find((e) => e.type === 'message_delta')?.delta).toEqual({
      stop_reason: 'stop_sequence',
      stop_sequence: 'END',
    });
  });

  it('still cancels the upstream when the client leaves', () => {
    let unsubscribed = false;
    const upstream = new Observable<ChatCompletionChunk>((subscriber) => {
      subscriber.next(chunk({ content: 'one END' }));
      return () => (unsubscribed = true);
    });
    upstream
      .pipe(chatChunksToAnthropicEvents('m', ['END']))
      .subscribe()
      .unsubscribe();
    expect(unsubscribed).toBe(true);
  });
});
