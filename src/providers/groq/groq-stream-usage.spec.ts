import { firstValueFrom, from, map, toArray } from 'rxjs';
import type { ChatCompletionChunk } from '../chat-types';
import { ForwardedChunk } from '../upstream/forwarded-chunk';
import { appendOpenAiUsageChunk } from './groq-stream-usage';

const base = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk' as const,
  created: 1,
  model: 'm',
  system_fingerprint: 'fp',
};
const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, total_time: 0.1 };

describe('appendOpenAiUsageChunk', () => {
  it('adds one chunk with empty choices and the usage from x_groq', async () => {
    const chunks: ChatCompletionChunk[] = [
      { ...base, choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] },
      {
        ...base,
        choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        x_groq: { id: 'req', usage },
      },
    ];
    const out = await firstValueFrom(from(chunks).pipe(appendOpenAiUsageChunk(), toArray()));
    expect(out).toHaveLength(3);
    expect(out[2]).toEqual({ ...base, choices: [], usage });
  });

  it('adds nothing when upstream already sent a usage chunk', async () => {
    const chunks: ChatCompletionChunk[] = [
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], x_groq: { usage } },
      { ...base, choices: [], usage },
    ];
    const out = await firstValueFrom(from(chunks).pipe(appendOpenAiUsageChunk(), toArray()));
    expect(out).toHaveLength(2);
  });

  it('adds nothing when there was no usage', async () => {
    const chunks: ChatCompletionChunk[] = [
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    ];
    const out = await firstValueFrom(from(chunks).pipe(appendOpenAiUsageChunk(), toArray()));
    expect(out).toHaveLength(1);
  });

  it('passes forwarded chunks on and takes the usage from the parsed finish chunk', async () => {
    const text = JSON.stringify({
      ...base,
      choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }],
    });
    const forwarded = ForwardedChunk.of(text) as ForwardedChunk;
    const finish: ChatCompletionChunk = {
      ...base,
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
      x_groq: { id: 'req', usage },
    };
    const out = await firstValueFrom(
      from([forwarded, finish]).pipe(
        appendOpenAiUsageChunk<ChatCompletionChunk | ForwardedChunk>(),
        toArray(),
      ),
    );
    expect(out).toEqual([forwarded, finish, { ...base, choices: [], usage }]);
  });

  it('names the model as Groq sent it, though a later stage renames the chunks in place', async () => {
    const chunks: ChatCompletionChunk[] = [
      { ...base, choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] },
      {
        ...base,
        choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        x_groq: { id: 'req', usage },
      },
    ];
    // As the chat service gives every chunk its public name (`groq/<id>`), in place, downstream.
    const rename = (chunk: ChatCompletionChunk) => {
      chunk.model = `groq/${chunk.model}`;
      return chunk;
    };
    const out = await firstValueFrom(
      from(chunks).pipe(appendOpenAiUsageChunk(), map(rename), toArray()),
    );
    expect(out.map((chunk) => chunk.model)).toEqual(['groq/m', 'groq/m', 'groq/m']);
  });
});
