import { firstValueFrom, from, throwError, concat, toArray, type Observable } from 'rxjs';
import { GatewayError } from '../common/errors/gateway-error';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/chat-types';
import { chatToResponse } from './responses-response.converter';
import { chatChunksToResponsesEvents } from './responses-stream.operator';
import { InBandFailure } from '../sse/in-band-failure';
import type { ResponsesRequest, ResponsesStreamEvent } from './responses-types';

const request: ResponsesRequest = { model: 'groq/m', input: 'hi', metadata: { a: 'b' } };
const base = {
  id: 'chatcmpl-abc-123',
  object: 'chat.completion.chunk' as const,
  created: 7,
  model: 'm',
};
const usage = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };
const chunk = (
  delta: ChatCompletionChunk['choices'][0]['delta'],
  finish: ChatCompletionChunk['choices'][0]['finish_reason'] = null,
  extra = {},
): ChatCompletionChunk => ({
  ...base,
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});

const run = (chunks: ChatCompletionChunk[]) =>
  firstValueFrom(from(chunks).pipe(chatChunksToResponsesEvents(request), toArray()));

describe('chatChunksToResponsesEvents', () => {
  it('emits the text event sequence and ends with the same response the JSON converter gives', async () => {
    const events = await run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop', { x_groq: { usage } }),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const json: ChatCompletion = {
      id: base.id,
      object: 'chat.completion',
      created: 7,
      model: 'm',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' },
      ],
      usage,
    };
    expect(events[events.length - 1].response).toEqual(chatToResponse(json, request));
  });

  it('streams tool calls as function_call items, accumulating split arguments', async () => {
    const events = await run([
      chunk({ role: 'assistant', content: null }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({}, 'tool_calls', { x_groq: { usage } }),
    ]);
    const types = events.map((e) => e.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[5].arguments).toBe('{"a":1}');
    expect((events[7].response as { output: unknown[] }).output).toEqual([
      {
        type: 'function_call',
        id: 'fc_call_1',
        call_id: 'call_1',
        name: 'f',
        arguments: '{"a":1}',
        status: 'completed',
      },
    ]);
  });

  it('ends with response.incomplete when the model stopped on length', async () => {
    const events = await run([chunk({ content: 'cut' }), chunk({}, 'length')]);
    const last = events[events.length - 1];
    expect(last.type).toBe('response.incomplete');
    expect(last.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
  });

  /** The events a stream emits, and how it ended: 'complete' or the error it ended with. */
  const settle = (source: Observable<ChatCompletionChunk>) =>
    new Promise<{ events: ResponsesStreamEvent[]; end: unknown }>((resolve) => {
      const events: ResponsesStreamEvent[] = [];
      source.pipe(chatChunksToResponsesEvents(request)).subscribe({
        next: (event) => events.push(event),
        error: (end: unknown) => resolve({ events, end }),
        complete: () => resolve({ events, end: 'complete' }),
      });
    });

  it('turns a failure after the first event into one error event, and ends failed', async () => {
    const failure = new GatewayError({ status: 502, message: 'cut', code: 'upstream_unreachable' });
    const { events, end } = await settle(
      concat(
        from([chunk({ content: 'a' })]),
        throwError(() => failure),
      ),
    );
    expect(events.at(-1)).toEqual({
      type: 'error',
      code: 'upstream_unreachable',
      message: 'cut',
      param: null,
      sequence_number: events.length - 1,
    });
    // The client has been told; the failure still reaches the call (SseWriter records it).
    expect(end).toBeInstanceOf(InBandFailure);
    expect((end as InBandFailure).failure).toBe(failure);
  });

  it("ends a guardrail's refusal mid-stream with response.failed, and ends failed", async () => {
    const failure = new GatewayError({
      status: 400,
      message: 'blocked',
      code: 'guardrail_blocked',
    });
    const { events, end } = await settle(
      concat(
        from([chunk({ content: 'a' })]),
        throwError(() => failure),
      ),
    );
    expect(events.at(-1)).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'guardrail_blocked', message: 'blocked' } },
    });
    expect(events.some((e) => e.type === 'error')).toBe(false);
    expect((end as InBandFailure).failure).toBe(failure);
  });

  it('names a failure that is not a GatewayError as an internal error', async () => {
    const { events, end } = await settle(
      concat(
        from([chunk({ content: 'a' })]),
        throwError(() => new Error('a bug')),
      ),
    );
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'internal_error' });
    expect((end as InBandFailure).failure.code).toBe('internal_error');
  });

  it('passes a failure before any event on, so the HTTP status can carry it', async () => {
    const failure = new GatewayError({ status: 429, message: 'slow down' });
    await expect(
      firstValueFrom(throwError(() => failure).pipe(chatChunksToResponsesEvents(request))),
    ).rejects.toBe(failure);
  });
});
