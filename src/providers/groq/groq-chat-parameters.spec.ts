import { GatewayError } from '../../common/errors/gateway-error';
import type { ChatRequest } from '../chat-types';
import { routeModel } from '../model-router';
import { reasoningEffortOf, toGroqChatRequest } from './groq-chat-parameters';

const prepare = (request: Partial<ChatRequest>) =>
  toGroqChatRequest(
    {
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'hi' }],
      ...request,
    },
    routeModel(request.model ?? 'groq/llama-3.3-70b-versatile'),
  );

function refusal(request: Partial<ChatRequest>): GatewayError {
  try {
    prepare(request);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('toGroqChatRequest', () => {
  it('forwards the allowed parameters with the upstream model id', () => {
    const { body, dropped } = prepare({
      temperature: 0.3,
      top_p: 0.5,
      max_tokens: 9,
      stop: 'x',
      user: 'u1',
    });
    expect(body).toEqual({
      model: 'llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.3,
      top_p: 0.5,
      max_tokens: 9,
      stop: 'x',
      user: 'u1',
    });
    expect(dropped).toEqual([]);
  });

  it('drops parameters Groq does not take and lists them', () => {
    const { body, dropped } = prepare({
      n: 2,
      logprobs: true,
      logit_bias: { '1': 2 },
      top_logprobs: 2,
      metadata: { a: 1 },
      frequency_penalty: 1,
      presence_penalty: 1,
    });
    expect(dropped).toEqual([
      'n',
      'logprobs',
      'logit_bias',
      'top_logprobs',
      'metadata',
      'frequency_penalty',
      'presence_penalty',
    ]);
    for (const name of dropped) expect(body).not.toHaveProperty(name);
  });

  it('drops user longer than 64 characters', () => {
    const { body, dropped } = prepare({ user: 'x'.repeat(65) });
    expect(body).not.toHaveProperty('user');
    expect(dropped).toEqual(['user']);
  });

  it('keeps user of exactly 64 characters', () => {
    expect(prepare({ user: 'x'.repeat(64) }).body.user).toHaveLength(64);
  });

  it('maps reasoning to reasoning_effort, from an object or a string', () => {
    expect(prepare({ reasoning: { effort: 'low' } }).body).toMatchObject({
      reasoning_effort: 'low',
    });
    expect(prepare({ reasoning: 'high' }).body).toMatchObject({ reasoning_effort: 'high' });
    expect(prepare({ reasoning: { effort: 'low' } }).body).not.toHaveProperty('reasoning');
  });

  it('does not send reasoning_effort when reasoning has no effort', () => {
    expect(prepare({ reasoning: {} }).body).not.toHaveProperty('reasoning_effort');
  });

  it('consumes stream_options and remembers include_usage for streams', () => {
    const prepared = prepare({ stream: true, stream_options: { include_usage: true } });
    expect(prepared.body).not.toHaveProperty('stream_options');
    expect(prepared.includeUsage).toBe(true);
    expect(prepared.dropped).toEqual([]);
    expect(prepare({ stream_options: { include_usage: true } }).includeUsage).toBe(false);
  });

  it('reports stream_options sent without stream: true as dropped', () => {
    const prepared = prepare({ stream_options: { include_usage: true } });
    expect(prepared.dropped).toEqual(['stream_options']);
    expect(prepared.body).not.toHaveProperty('stream_options');
    expect(prepare({ stream: false, stream_options: null }).dropped).toEqual([]);
  });

  it('drops message fields Groq rejects and reports them once', () => {
    const { body, dropped } = prepare({
      messages: [
        { role: 'user', content: 'a', name: 'x' },
        { role: 'user', content: 'b', name: 'y' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
    expect(dropped).toEqual(['messages[].name']);
  });

  it('sends developer messages as system messages', () => {
    expect(
      prepare({ messages: [{ role: 'developer', content: 'be brief' }] }).body.messages,
    ).toEqual([{ role: 'system', content: 'be brief' }]);
  });

  it("sends an assistant's refusal part as its text", () => {
    const { body } = prepare({
      messages: [
        { role: 'user', content: 'do the thing' },
        {
          role: 'assistant',
          content: [{ type: 'refusal', refusal: 'I cannot help with that.' }],
        },
        { role: 'user', content: 'why?' },
      ],
    });
    expect((body.messages as Array<{ content: unknown }>)[1].content).toBe(
      'I cannot help with that.',
    );
  });

  it('joins text parts for roles whose content Groq takes as a string', () => {
    const { body } = prepare({
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'c' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'system', content: 'a\nb' },
      { role: 'user', content: [{ type: 'text', text: 'c' }] },
    ]);
  });

  it.each([
    ['image_url', 'Image'],
    ['input_audio', 'Audio'],
    ['file', 'File'],
  ])('refuses a %s part, naming it in param', (type, what) => {
    const error = refusal({
      messages: [
        { role: 'system', content: 'x' },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type }] },
      ],
    });
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[1].content[1]');
    expect(error.message).toContain(`${what} content is not supported by the groq provider`);
  });

  it('sets stream from the request', () => {
    expect(prepare({ stream: true }).stream).toBe(true);
    expect(prepare({}).stream).toBe(false);
  });
});

describe("Groq's own parameters", () => {
  const gptOss = (request: Partial<ChatRequest>) =>
    prepare({ model: 'groq/openai/gpt-oss-120b', ...request });

  it('forwards them with the values groq-sdk types allow', () => {
    const own = {
      reasoning_format: 'parsed',
      service_tier: 'flex',
      seed: 7,
      parallel_tool_calls: false,
      search_settings: { country: 'germany', include_domains: ['a.org'], include_images: true },
      documents: [
        { id: 'd1', source: { type: 'text', text: 'Paris is in France.' } },
        { source: { type: 'json', data: { city: 'Paris' } } },
      ],
      citation_options: 'enabled',
      compound_custom: {
        models: { answering_model: 'openai/gpt-oss-120b' },
        tools: { enabled_tools: ['web_search'], wolfram_settings: { authorization: 'w' } },
      },
      disable_tool_validation: true,
      reasoning_effort: 'high',
    };
    const { body, dropped } = gptOss(own);
    expect(dropped).toEqual([]);
    expect(body).toMatchObject(own);
  });

  it('does not send a Groq parameter that is null (Groq default)', () => {
    const { body, dropped } = gptOss({ seed: null, service_tier: null });
    expect(body).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('service_tier');
    expect(dropped).toEqual([]);
  });

  it.each([
    [{ reasoning_format: 'summary' }, 'reasoning_format'],
    [{ service_tier: 'batch' }, 'service_tier'],
    [{ seed: 1.5 }, 'seed'],
    [{ include_reasoning: 'yes' }, 'include_reasoning'],
    [{ parallel_tool_calls: 1 }, 'parallel_tool_calls'],
    [{ citation_options: 'on' }, 'citation_options'],
    [{ search_settings: { country: 1 } }, 'search_settings.country'],
    [{ search_settings: { region: 'eu' } }, 'search_settings.region'],
    [{ documents: [{ source: { type: 'pdf' } }] }, 'documents[0].source.type'],
    [{ compound_custom: { models: { fast_model: 'x' } } }, 'compound_custom.models.fast_model'],
  ])('refuses %j naming %s', (request, param) => {
    const error = refusal({ model: 'groq/openai/gpt-oss-120b', ...request });
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });

  it('refuses reasoning_format together with include_reasoning, as Groq does', () => {
    const error = refusal({
      model: 'groq/openai/gpt-oss-20b',
      reasoning_format: 'hidden',
      include_reasoning: false,
    });
    expect(error.param).toBe('reasoning_format');
    expect(error.message).toMatch(/cannot be used together/);
  });

  it.each([
    ['groq/openai/gpt-oss-120b', 'none', false],
    ['groq/openai/gpt-oss-120b', 'low', true],
    ['groq/qwen/qwen3-32b', 'high', false],
    ['groq/qwen/qwen3-32b', 'none', true],
    ['groq/qwen/qwen3.8-27b', 'high', true],
    ['groq/moonshotai/kimi-k2-instruct-0905', 'high', true],
  ])('%s with reasoning_effort %s: accepted %s', (model, effort, accepted) => {
    const attempt = () => prepare({ model, reasoning_effort: effort });
    if (accepted) expect(attempt().body.reasoning_effort).toBe(effort);
    else expect(attempt).toThrow(/is not one .* takes/);
  });

  it('checks OpenAI-style reasoning.effort against the model family too', () => {
    expect(() => prepare({ model: 'groq/qwen/qwen3-32b', reasoning: { effort: 'low' } })).toThrow(
      /use none, default/,
    );
  });

  it('forwards built-in tools for gpt-oss and refuses them for other models', () => {
    const tools = [{ type: 'browser_search' }, { type: 'code_interpreter' }];
    expect(gptOss({ tools }).body.tools).toEqual(tools);
    const error = refusal({ model: 'groq/qwen/qwen3-32b', tools });
    expect(error.param).toBe('tools[0].type');
  });
});

describe('reasoningEffortOf', () => {
  it('refuses an unknown effort with the param path', () => {
    expect(() => reasoningEffortOf({ effort: 'max' })).toThrow(/reasoning effort must be one of/);
    try {
      reasoningEffortOf('max');
    } catch (error) {
      expect((error as GatewayError).param).toBe('reasoning');
    }
  });
});
