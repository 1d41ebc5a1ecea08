import { GatewayError } from '../common/errors/gateway-error';
import type { ChatCompletion } from '../providers/chat-types';
import { chatToTextCompletion, completionToChat } from './completions.converter';
import type { CompletionRequest } from './completions-types';

const convert = (request: Partial<CompletionRequest>) =>
  completionToChat({ model: 'groq/m', prompt: 'p', ...request });

describe('completionToChat', () => {
  it('turns the prompt into one user message and carries the sampling parameters', () => {
    const { chat, dropped } = convert({
      max_tokens: 5,
      temperature: 1,
      top_p: 0.5,
      stop: 'x',
      user: 'u',
      n: 1,
      echo: false,
      seed: 3,
    });
    expect(chat).toEqual({
      model: 'groq/m',
      messages: [{ role: 'user', content: 'p' }],
      max_tokens: 5,
      temperature: 1,
      top_p: 0.5,
      stop: 'x',
      user: 'u',
    });
    expect(dropped).toEqual(['seed']);
  });

  it('takes an array of exactly one string', () => {
    expect(convert({ prompt: ['one'] }).chat.messages).toEqual([{ role: 'user', content: 'one' }]);
  });

  it.each([
    [{ n: 2 }, 'n'],
    [{ best_of: 2 }, 'best_of'],
    [{ stream: true }, 'stream'],
    [{ echo: true }, 'echo'],
    [{ suffix: 's' }, 'suffix'],
    [{ logprobs: 0 }, 'logprobs'],
    [{ prompt: [] }, 'prompt'],
    [{ prompt: ['a', 'b'] }, 'prompt'],
    [{ prompt: [[1, 2]] }, 'prompt'],
  ])('refuses %j naming %s', (request, param) => {
    try {
      convert(request as Partial<CompletionRequest>);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as GatewayError).param).toBe(param);
      expect((error as GatewayError).status).toBe(400);
    }
  });
});

describe('chatToTextCompletion', () => {
  it('answers in the text_completion shape', () => {
    const completion: ChatCompletion = {
      id: 'chatcmpl-9',
      object: 'chat.completion',
      created: 5,
      model: 'm',
      system_fingerprint: 'fp',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'text' }, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, total_time: 0.1 },
    };
    expect(chatToTextCompletion(completion)).toEqual({
      id: 'cmpl-9',
      object: 'text_completion',
      created: 5,
      model: 'm',
      system_fingerprint: 'fp',
      choices: [{ text: 'text', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });
});
