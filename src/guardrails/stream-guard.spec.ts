import { lastValueFrom, Observable, toArray } from 'rxjs';
import type { ChatCompletionChunk } from '../providers/chat-types';
import type { GuardrailPolicy } from './guardrails-config';
import { runStage, type PolicyRunner } from './policy-runner';
import { policyRunner } from './policy-runners';
import { cutPoint, guardChatStream, sentenceCut, type StreamChecks } from './stream-guard';

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

/** The text in fixed pieces of `size` characters, cut anywhere (mid-word, mid-address). */
function upstreamInPieces(text: string, size: number) {
  return new Observable<ChatCompletionChunk>((subscriber) => {
    subscriber.next(chunk({ role: 'assistant', content: '' }));
    for (let at = 0; at < text.length; at += size)
      subscriber.next(chunk({ content: text.slice(at, at + size) }));
    subscriber.next(chunk({}, 'stop'));
    subscriber.complete();
  });
}

function checks(
  policies: GuardrailPolicy[],
  mode: StreamChecks['mode'] = 'window',
  windowChars = 16,
): StreamChecks & { outcomes: unknown[] } {
  const runners: PolicyRunner[] = policies.map((p) => policyRunner(p, transport));
  const done: unknown[] = [];
  return {
    mode,
    windowChars,
    holdChars: Math.max(windowChars, ...runners.map((r) => r.holdChars ?? 0)),
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

/** Runs the guard; the content chunks it let go, or the error it ended with. */
async function guarded(source: Observable<ChatCompletionChunk>, guard: StreamChecks) {
  const released: string[] = [];
  const error = await new Promise<Error | undefined>((resolve) =>
    source.pipe(guardChatStream(guard)).subscribe({
      next: (c) => released.push(c.choices[0]?.delta.content ?? ''),
      error: resolve,
      complete: () => resolve(undefined),
    }),
  );
  return { released, text: released.join(''), error };
}

describe('window mode never lets part of a match go, however the text is cut', () => {
  const LONG_EMAIL = 'averyveryverylongname.surname@subdomain.example-company.org';
  const before = 'Hello there, you can write to ';
  const after = ' at any time of day and we will answer you as soon as we can, thanks';

  it.each([1, 2, 3, 7, 13])(
    'an address longer than the window, arriving %i characters at a time, is redacted whole',
    async (size) => {
      const { released, text } = await guarded(
        upstreamInPieces(`${before}${LONG_EMAIL}${after}`, size),
        checks([email]),
      );
      expect(text).toBe(`${before}[EMAIL]${after}`);
      // No piece of the address left on its own (before the fix, 'averyvery...' went ahead).
      for (const piece of released)
        for (const part of ['avery', 'surname', 'subdomain', 'example-company'])
          expect(piece).not.toContain(part);
    },
  );

  it.each([1, 2, 5])(
    'a blocked word arriving %i characters at a time with a 4-character window: not one letter of it leaves',
    async (size) => {
      const { text, error } = await guarded(
        upstreamInPieces('one two three the code is zebra-42 and then more text follows', size),
        checks([word], 'window', 4),
      );
      expect(error?.message).toBe('blocked by kw');
      expect(text).not.toMatch(/z|zebra/);
      expect(text.length).toBeGreaterThan(0);
    },
  );

  it('a phrase with spaces longer than the window is held until it can be judged whole', async () => {
    const phrase: GuardrailPolicy = { ...word, words: ['the secret plan of the project'] };
    const { text, error } = await guarded(
      upstreamInPieces('we talked about the secret plan of the project yesterday', 2),
      checks([phrase], 'window', 4),
    );
    expect(error?.message).toBe('blocked by kw');
    expect(text).not.toContain('secret');
  });
});

describe('cutPoint', () => {
  it('cuts just after whitespace, before any finding over the cut, or nowhere', () => {
    expect(cutPoint('alpha beta gamma', 12, [])).toBe(11);
    expect(cutPoint('alpha beta gamma', 8, [{ start: 6, end: 10, label: 'k' }])).toBe(6);
    expect(cutPoint('alphabetagamma', 10, [])).toBe(0);
    expect(
      cutPoint('a bb cc dd', 9, [
        { start: 5, end: 10, label: 'x' },
        { start: 2, end: 6, label: 'y' },
      ]),
    ).toBe(2);
  });
});

describe('sentenceCut', () => {
  it('cuts just after the last sentence end before the limit, or nowhere', () => {
    expect(sentenceCut('One. Two! Three? four', 100)).toBe(17);
    expect(sentenceCut('One. Two! Three? four', 12)).toBe(10);
    expect(sentenceCut('He said "no." Then left', 100)).toBe(14);
    expect(sentenceCut('a line\nnext', 100)).toBe(7);
    expect(sentenceCut('version 2.3.1 ships', 100)).toBe(0);
  });
});

describe('guardChatStream', () => {
  it('window with a judge: each window it judges ends at a sentence end, so a phrase is judged whole', async () => {
    const judged: string[] = [];
    const guard: GuardrailPolicy = {
      id: 'guard',
      kind: 'moderation',
      stage: 'output',
      action: 'block',
      model: 'groq/meta-llama/llama-guard-4-12b',
      categories: [],
      onError: 'open',
      timeoutMs: 1000,
    };
    const runner = policyRunner(guard, {
      moderate: (_policy, messages) => {
        const text = String(messages[messages.length - 1].content);
        judged.push(text);
        return Promise.resolve(/build a bomb/.test(text) ? 'unsafe\nS9' : 'safe');
      },
      webhook: () => Promise.reject(new Error('unused')),
    });
    const text =
      'Here is a calm first sentence about the weather. The second one says how to build a bomb in the shed. A third sentence closes the answer.';
    const { error, text: sent } = await guarded(upstreamInPieces(text, 3), {
      ...checks([]),
      windowChars: 40,
      holdChars: 40,
      sentences: true,
      check: (parts, flagOnly) => runStage([runner], 'output', parts, call, flagOnly),
    });
    expect(error?.message).toBe('blocked by guard');
    expect(sent).toBe('Here is a calm first sentence about the weather. ');
    for (const window of judged.slice(0, -1)) expect(window).toMatch(/[.!?]\s$/);
    expect(judged.some((w) => w.includes('how to build a bomb'))).toBe(true);
  });

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
    const guard = checks([word]);
    const error = await new Promise<Error>((resolve) =>
      upstream(text, state)
        .pipe(guardChatStream(guard))
        .subscribe({
          next: (c) => seen.push(c),
          error: resolve,
          complete: () => resolve(new Error('completed')),
        }),
    );
    expect(error.message).toBe('blocked by kw');
    expect(textOf(seen)).not.toContain('zebra');
    expect(state.unsubscribed).toBe(true);
    // The block is reported (for the call's access line and ended event) though the stream failed.
    expect(guard.outcomes).toEqual([
      { policy: 'kw', stage: 'output', outcome: 'blocked', category: 'keyword' },
    ]);
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
