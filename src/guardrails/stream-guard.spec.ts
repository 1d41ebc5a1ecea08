import { lastValueFrom, Observable, toArray } from 'rxjs';
import type { ChatCompletionChunk } from '../providers/chat-types';
import type { GuardrailPolicy } from './guardrails-config';
import { runStage, type PolicyRunner } from './policy-runner';
import { policyRunner } from './policy-runners';
import { guardChatStream, type StreamChecks } from './stream-guard';

const transport = {
  moderate: () => Promise.reject(new Error('unused')),
  webhook: () => Promise.reject(new Error('unused')),
};
const call = { requestId: 'r1', observe: () => undefined };

function chunk(
  delta: ChatCompletionChunk['choices'][number]['delta'],
  finish: string | null = null,
) {
  return {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  } as ChatCompletionChunk;
}

/** Words as Groq streams them (one per tick), the role chunk first and the finish chunk last. */
function upstream(text: string, state: { unsubscribed: boolean; sent: number }) {
  const pieces = text.match(/\S+\s*/g) ?? [];
  return new Observable<ChatCompletionChunk>((subscriber) => {
    subscriber.next(chunk({ role: 'assistant', content: '' }));
    let index = 0;
    const timer = setInterval(() => {
      if (index < pieces.length) {
        state.sent++;
        subscriber.next(chunk({ content: pieces[index++] }));
        return;
      }
      clearInterval(timer);
      subscriber.next(chunk({}, 'stop'));
      subscriber.complete();
    }, 1);
    return () => {
      clearInterval(timer);
      state.unsubscribed = true;
    };
  });
}

function checks(
  policies: GuardrailPolicy[],
  mode: StreamChecks['mode'] = 'window',
): StreamChecks & { outcomes: unknown[] } {
  const runners: PolicyRunner[] = policies.map((p) => policyRunner(p, transport));
  const done: unknown[] = [];
  return {
    mode,
    windowChars: 16,
    finders: runners.flatMap((r) => (r.find ? [r.find.bind(r)] : [])),
    check: (parts, flagOnly) => runStage(runners, 'output', parts, call, flagOnly),
    paramOf: (channel, index) => (channel === 'tool' ? `tool[${index}]` : channel),
    refuse: (stop) => Object.assign(new Error(`blocked by ${stop.policy}`), { stop }),
    done: (outcomes) => done.push(...outcomes),
    outcomes: done,
  };
}

const email: GuardrailPolicy = {
  id: 'pii',
  kind: 'pii',
  stage: 'output',
  action: 'redact',
  entities: ['email'],
};
const word: GuardrailPolicy = {
  id: 'kw',
  kind: 'keywords',
  stage: 'output',
  action: 'block',
  words: ['zebra-42'],
};
const TEXT =
  'please write to carol.smith@example.org about the plan and then some more words to move the window along';

const textOf = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('guardChatStream', () => {
  it('window: redacts before the text leaves, in several pieces, and reports on the last chunk', async () => {
    const state = { unsubscribed: false, sent: 0 };
    const guard = checks([email]);
    const out = await lastValueFrom(upstream(TEXT, state).pipe(guardChatStream(guard), toArray()));
    expect(textOf(out)).toBe(TEXT.replace('carol.smith@example.org', '[EMAIL]'));
    expect(out.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(2);
    expect(JSON.stringify(out)).not.toContain('carol');
    expect(out[0].choices[0].delta.role).toBe('assistant');
    const last = out[out.length - 1];
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.x_gateway).toEqual({
      guardrails: [{ policy: 'pii', stage: 'output', outcome: 'redacted', category: 'email' }],
    });
    expect(guard.outcomes).toHaveLength(1);
  });

  it('window: a block stops the stream, drops the held text and unsubscribes the source', async () => {
    const state = { unsubscribed: false, sent: 0 };
    const text = `the code is zebra-42 ${'and more words after it '.repeat(20)}`;
    const seen: ChatCompletionChunk[] = [];
    const error = await new Promise<Error>((resolve) =>
      upstream(text, state)
        .pipe(guardChatStream(checks([word])))
        .subscribe({
          next: (c) => seen.push(c),
          error: resolve,
          complete: () => resolve(new Error('completed')),
        }),
    );
    expect(error.message).toBe('blocked by kw');
    expect(textOf(seen)).not.toContain('zebra');
    expect(state.unsubscribed).toBe(true);
    expect(state.sent).toBeLessThan(text.match(/\S+\s*/g)?.length ?? 0);
  });

  it('buffer: holds everything and sends one content chunk at the end', async () => {
    const state = { unsubscribed: false, sent: 0 };
    const out = await lastValueFrom(
      upstream(TEXT, state).pipe(guardChatStream(checks([email], 'buffer')), toArray()),
    );
    const withText = out.filter((c) => c.choices[0]?.delta.content);
    expect(withText).toHaveLength(1);
    expect(textOf(out)).toContain('[EMAIL]');
  });

  it('none: lets the text go as it comes and can only flag', async () => {
    const state = { unsubscribed: false, sent: 0 };
    const guard = checks([word], 'none');
    const out = await lastValueFrom(
      upstream('the code is zebra-42 ok', state).pipe(guardChatStream(guard), toArray()),
    );
    expect(textOf(out)).toBe('the code is zebra-42 ok');
    expect(out[out.length - 1].x_gateway).toEqual({
      guardrails: [{ policy: 'kw', stage: 'output', outcome: 'flagged', category: 'keyword' }],
    });
  });

  it('holds tool-call arguments until the answer ends and checks them whole', async () => {
    const source = new Observable<ChatCompletionChunk>((subscriber) => {
      subscriber.next(chunk({ role: 'assistant', content: null }));
      subscriber.next(
        chunk({
          tool_calls: [
            {
              index: 0,
              id: 't1',
              type: 'function',
              function: { name: 'send', arguments: '{"to":"ann@ex' },
            },
          ],
        }),
      );
      subscriber.next(
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'ample.com"}' } }] }),
      );
      subscriber.next(chunk({}, 'tool_calls'));
      subscriber.complete();
    });
    const out = await lastValueFrom(source.pipe(guardChatStream(checks([email])), toArray()));
    const calls = out.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toEqual([
      {
        index: 0,
        id: 't1',
        type: 'function',
        function: { name: 'send', arguments: '{"to":"[EMAIL]"}' },
      },
    ]);
    expect(out[out.length - 1].choices[0].finish_reason).toBe('tool_calls');
  });

  it('keeps the usage chunk last, with the report on it', async () => {
    const source = new Observable<ChatCompletionChunk>((subscriber) => {
      subscriber.next(chunk({ role: 'assistant', content: 'hi' }));
      subscriber.next(chunk({}, 'stop'));
      subscriber.next({
        ...chunk({}),
        choices: [],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
      subscriber.complete();
    });
    const out = await lastValueFrom(source.pipe(guardChatStream(checks([email])), toArray()));
    expect(textOf(out)).toBe('hi');
    const last = out[out.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBe(2);
    expect(last.x_gateway).toBeDefined();
  });
});
