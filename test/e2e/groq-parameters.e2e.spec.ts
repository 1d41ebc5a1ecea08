import Anthropic from '@anthropic-ai/sdk';
import Groq from 'groq-sdk';
import { caught } from './support/caught';
import { manyKeys, Stack, startStack } from './support/stack';

/** The last chat body the emulator (Groq) received from the gateway. */
const sent = (stack: Stack) => stack.emulator.chatRequests().at(-1)?.body ?? {};

describe("Groq's own parameters and response fields, through the official SDKs", () => {
  let stack: Stack;
  let groq: Groq;

  beforeAll(async () => {
    stack = await startStack({ GROQ_API_KEYS: manyKeys(3), RETRY_MAX_ATTEMPTS: '1' });
    groq = new Groq({ baseURL: `${stack.gateway.url}/groq`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  describe('reasoning', () => {
    it('forwards reasoning_format and reasoning_effort; message.reasoning comes back (JSON)', async () => {
      const completion = await groq.chat.completions.create({
        model: 'openai/gpt-oss-120b',
        messages: [{ role: 'user', content: 'Think first' }],
        reasoning_format: 'parsed',
        reasoning_effort: 'high',
      });
      expect(sent(stack)).toMatchObject({ reasoning_format: 'parsed', reasoning_effort: 'high' });
      expect(completion.choices[0].message.reasoning).toContain('The user wants a short answer');
      expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(11);
    });

    it('streams delta.reasoning untouched', async () => {
      const stream = await groq.chat.completions.create({
        model: 'qwen/qwen3-32b',
        messages: [{ role: 'user', content: 'Think' }],
        reasoning_effort: 'default',
        stream: true,
      });
      let reasoning = '';
      for await (const chunk of stream) reasoning += chunk.choices[0]?.delta.reasoning ?? '';
      expect(reasoning).toBe('The user wants a short answer. I will reply directly.');
    });

    it('forwards include_reasoning: false, and hides the reasoning as Groq does', async () => {
      const completion = await groq.chat.completions.create({
        model: 'openai/gpt-oss-20b',
        messages: [{ role: 'user', content: 'No thoughts' }],
        include_reasoning: false,
      });
      expect(sent(stack).include_reasoning).toBe(false);
      expect(completion.choices[0].message.reasoning).toBeUndefined();
    });

    it('refuses reasoning_format with include_reasoning, before calling Groq', async () => {
      const error = await groq.chat.completions
        .create({
          model: 'openai/gpt-oss-20b',
          messages: [{ role: 'user', content: 'x' }],
          reasoning_format: 'hidden',
          include_reasoning: true,
        })
        .catch((e: unknown) => e as InstanceType<typeof Groq.APIError>);
      expect(error).toBeInstanceOf(Groq.BadRequestError);
      expect(JSON.stringify((error as InstanceType<typeof Groq.APIError>).error)).toContain(
        'reasoning_format',
      );
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });

    it('refuses a reasoning_effort the model family does not take', async () => {
      const openai = stack.openai;
      const error = await caught(
        openai.chat.completions.create({
          model: 'groq/qwen/qwen3-32b',
          messages: [{ role: 'user', content: 'x' }],
          reasoning_effort: 'high',
        }),
      );
      expect(error.status).toBe(400);
      expect(error.param).toBe('reasoning_effort');
      expect(error.message).toContain('use none, default');
    });
  });

  describe('sampling, tiers and tools', () => {
    it('forwards service_tier, seed and parallel_tool_calls; seed comes back in x_groq', async () => {
      const completion = await groq.chat.completions.create({
        model: 'openai/gpt-oss-120b',
        messages: [{ role: 'user', content: 'Weather?' }],
        service_tier: 'flex',
        seed: 42,
        parallel_tool_calls: false,
        tools: [
          {
            type: 'function',
            function: { name: 'weather', parameters: { type: 'object', properties: {} } },
          },
        ],
      });
      expect(sent(stack)).toMatchObject({
        service_tier: 'flex',
        seed: 42,
        parallel_tool_calls: false,
      });
      expect(completion.x_groq?.seed).toBe(42);
      expect((completion as unknown as { service_tier: string }).service_tier).toBe('flex');
    });

    it('runs browser_search on gpt-oss: executed_tools pass through, JSON and stream', async () => {
      const params = {
        model: 'openai/gpt-oss-120b',
        messages: [{ role: 'user' as const, content: 'Latest news' }],
        tools: [{ type: 'browser_search' as const }],
        search_settings: { include_domains: ['example.org'], country: 'germany' },
      };
      const completion = await groq.chat.completions.create(params);
      expect(sent(stack)).toMatchObject({
        tools: [{ type: 'browser_search' }],
        search_settings: { include_domains: ['example.org'], country: 'germany' },
      });
      const tool = completion.choices[0].message.executed_tools?.[0];
      expect(tool?.type).toBe('browser_search');
      expect(tool?.search_results?.results?.[0]?.url).toBe('https://example.org/emulated');

      const stream = await groq.chat.completions.create({ ...params, stream: true });
      const streamed: unknown[] = [];
      for await (const chunk of stream)
        streamed.push(...(chunk.choices[0]?.delta.executed_tools ?? []));
      expect(streamed).toEqual([tool]);
    });

    it('runs code_interpreter on gpt-oss, and refuses built-in tools on other models', async () => {
      const completion = await groq.chat.completions.create({
        model: 'openai/gpt-oss-20b',
        messages: [{ role: 'user', content: 'Compute' }],
        tools: [{ type: 'code_interpreter' }],
      });
      expect(completion.choices[0].message.executed_tools?.[0]?.output).toBe('42\n');
      const error = await caught(
        stack.openai.chat.completions.create({
          model: 'groq/qwen/qwen3-32b',
          messages: [{ role: 'user', content: 'x' }],
          tools: [{ type: 'code_interpreter' } as never],
        }),
      );
      expect(error.status).toBe(400);
      expect(error.param).toBe('tools[0].type');
    });

    it('forwards disable_tool_validation', async () => {
      await groq.chat.completions.create({
        model: 'openai/gpt-oss-20b',
        messages: [{ role: 'user', content: 'x' }],
        disable_tool_validation: true,
      });
      expect(sent(stack).disable_tool_validation).toBe(true);
    });
  });

  describe('documents and citations', () => {
    it('forwards documents and citation_options; annotations pass through (JSON and stream)', async () => {
      const params = {
        model: 'openai/gpt-oss-120b',
        messages: [{ role: 'user' as const, content: 'Where is Paris?' }],
        documents: [
          { id: 'atlas', source: { type: 'text' as const, text: 'Paris is in France.' } },
        ],
        citation_options: 'enabled' as const,
      };
      const completion = await groq.chat.completions.create(params);
      expect(sent(stack)).toMatchObject({
        documents: params.documents,
        citation_options: 'enabled',
      });
      expect(completion.choices[0].message.annotations?.[0]).toMatchObject({
        type: 'document_citation',
        document_citation: { document_id: 'atlas' },
      });
      const stream = await groq.chat.completions.create({ ...params, stream: true });
      const annotations: unknown[] = [];
      for await (const chunk of stream)
        annotations.push(...(chunk.choices[0]?.delta.annotations ?? []));
      expect(annotations).toEqual(completion.choices[0].message.annotations);
    });
  });

  describe('Compound', () => {
    it('routes groq/compound whole (as groq/compound and groq/groq/compound) with compound_custom', async () => {
      const compoundCustom = {
        models: { answering_model: 'openai/gpt-oss-20b' },
        tools: { enabled_tools: ['web_search'] },
      };
      const viaGroqSdk = await groq.chat.completions.create({
        model: 'groq/compound',
        messages: [{ role: 'user', content: 'Search this' }],
        compound_custom: compoundCustom,
      });
      expect(sent(stack)).toMatchObject({
        model: 'groq/compound',
        compound_custom: compoundCustom,
      });
      expect(viaGroqSdk.usage_breakdown?.models.map((m) => m.model)).toEqual([
        'openai/gpt-oss-120b',
        'openai/gpt-oss-20b',
      ]);
      expect(viaGroqSdk.choices[0].message.executed_tools?.[0]?.type).toBe('search');

      for (const model of ['groq/compound-mini', 'groq/groq/compound-mini']) {
        const response = await stack.openai.chat.completions.create({
          model,
          messages: [{ role: 'user', content: 'Search' }],
        });
        expect(sent(stack).model).toBe('groq/compound-mini');
        expect(response.model).toBe('groq/compound-mini');
      }
    });

    it('streams x_groq.usage_breakdown in the finish chunk', async () => {
      const stream = await groq.chat.completions.create({
        model: 'groq/compound',
        messages: [{ role: 'user', content: 'Search' }],
        stream: true,
      });
      let models: string[] = [];
      for await (const chunk of stream)
        if (chunk.x_groq?.usage_breakdown)
          models = chunk.x_groq.usage_breakdown.models.map((m) => m.model);
      expect(models).toEqual(['openai/gpt-oss-120b', 'openai/gpt-oss-20b']);
    });
  });

  describe("the conversions map Groq's reasoning", () => {
    const REASONING = 'The user wants a short answer. I will reply directly.';

    it('Responses: a reasoning item with the reasoning as its summary, JSON and stream alike', async () => {
      const request = { model: 'groq/openai/gpt-oss-120b', input: 'Think, then answer' };
      const json = await stack.openai.responses.create(request);
      expect(json.output[0]).toMatchObject({
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: REASONING }],
      });
      expect(json.output[1].type).toBe('message');
      expect(json.usage?.output_tokens_details.reasoning_tokens).toBe(11);

      const stream = stack.openai.responses.stream(request);
      const deltas: string[] = [];
      stream.on('response.reasoning_summary_text.delta', (event) => deltas.push(event.delta));
      const final = await stream.finalResponse();
      expect(deltas.join('')).toBe(REASONING);
      expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
      expect(final.output[0]).toMatchObject({ summary: [{ text: REASONING }] });
    });

    it('Anthropic: a thinking block before the text, JSON and stream alike', async () => {
      const anthropic = new Anthropic({
        baseURL: `${stack.gateway.url}/anthropic`,
        apiKey: 'unused',
        maxRetries: 0,
      });
      const request = {
        model: 'groq/qwen/qwen3-32b',
        max_tokens: 200,
        messages: [{ role: 'user' as const, content: 'Think, then answer' }],
      };
      const message = await anthropic.messages.create(request);
      expect(message.content[0]).toEqual({ type: 'thinking', thinking: REASONING, signature: '' });
      expect(message.content[1].type).toBe('text');

      const stream = anthropic.messages.stream(request);
      let thinking = '';
      stream.on('thinking', (delta) => (thinking += delta));
      const final = await stream.finalMessage();
      expect(thinking).toBe(REASONING);
      expect(final.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    });
  });

  describe('what Groq refuses', () => {
    it('drops and reports logprobs, logit_bias, top_logprobs, n, penalties and messages[].name', async () => {
      const response = await stack.openai.chat.completions
        .create({
          model: 'groq/openai/gpt-oss-20b',
          messages: [{ role: 'user', content: 'x', name: 'alice' }],
          logprobs: true,
          top_logprobs: 2,
          logit_bias: { '50256': -100 },
          n: 1,
          presence_penalty: 0.5,
          frequency_penalty: 0.5,
        })
        .withResponse();
      const dropped = response.response.headers.get('x-gateway-dropped-params')?.split(',');
      expect(dropped).toEqual(
        expect.arrayContaining([
          'logprobs',
          'top_logprobs',
          'logit_bias',
          'n',
          'presence_penalty',
          'frequency_penalty',
          'messages[].name',
        ]),
      );
      for (const name of ['logprobs', 'top_logprobs', 'logit_bias', 'n'])
        expect(sent(stack)).not.toHaveProperty(name);
    });
  });

  describe('the same families on a stream', () => {
    it('forwards service_tier, seed and parallel_tool_calls; x_groq (id, seed) comes back in the first chunk', async () => {
      const stream = await groq.chat.completions.create({
        model: 'openai/gpt-oss-120b',
        messages: [{ role: 'user', content: 'Stream it' }],
        service_tier: 'performance',
        seed: 7,
        parallel_tool_calls: true,
        disable_tool_validation: true,
        stream: true,
      });
      const firstGroq: unknown[] = [];
      let text = '';
      for await (const chunk of stream) {
        if (chunk.x_groq && firstGroq.length === 0) firstGroq.push(chunk.x_groq);
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(sent(stack)).toMatchObject({
        stream: true,
        service_tier: 'performance',
        seed: 7,
        parallel_tool_calls: true,
        disable_tool_validation: true,
      });
      expect(firstGroq[0]).toMatchObject({ id: expect.stringMatching(/^req_/), seed: 7 });
      expect(text).toContain('You said: Stream it');
    });

    it('streams code_interpreter executed_tools', async () => {
      const stream = await groq.chat.completions.create({
        model: 'openai/gpt-oss-20b',
        messages: [{ role: 'user', content: 'Compute' }],
        tools: [{ type: 'code_interpreter' }],
        stream: true,
      });
      const tools: unknown[] = [];
      for await (const chunk of stream)
        tools.push(...(chunk.choices[0]?.delta.executed_tools ?? []));
      expect(tools).toMatchObject([{ type: 'code_interpreter', output: '42\n' }]);
    });

    it('drops and reports what Groq refuses on a stream too', async () => {
      const { data, response } = await stack.openai.chat.completions
        .create({
          model: 'groq/openai/gpt-oss-20b',
          messages: [{ role: 'user', content: 'x', name: 'alice' }],
          logit_bias: { '50256': -100 },
          top_logprobs: 1,
          logprobs: true,
          stream: true,
        })
        .withResponse();
      for await (const chunk of data) void chunk;
      expect(response.headers.get('x-gateway-dropped-params')?.split(',')).toEqual(
        expect.arrayContaining(['logprobs', 'top_logprobs', 'logit_bias', 'messages[].name']),
      );
      expect(sent(stack)).not.toHaveProperty('logit_bias');
      expect((sent(stack).messages as Array<Record<string, unknown>>)[0]).not.toHaveProperty(
        'name',
      );
    });

    it("reports cached prompt tokens in the stream's usage and x_groq.usage", async () => {
      const messages = [
        { role: 'system' as const, content: 'Another long, shared system prompt, cached by Groq.' },
        { role: 'user' as const, content: 'one' },
      ];
      await groq.chat.completions.create({ model: 'openai/gpt-oss-20b', messages });
      const stream = await stack.openai.chat.completions.create({
        model: 'groq/openai/gpt-oss-20b',
        messages: [messages[0], { role: 'user', content: 'two' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      type Usage = { prompt_tokens_details?: { cached_tokens?: number } };
      const cached: Array<number | undefined> = [];
      for await (const chunk of stream) {
        const xGroq = (chunk as unknown as { x_groq?: { usage?: Usage } }).x_groq;
        if (xGroq?.usage) cached.push(xGroq.usage.prompt_tokens_details?.cached_tokens);
        if (chunk.usage && chunk.choices.length === 0)
          cached.push(chunk.usage.prompt_tokens_details?.cached_tokens);
      }
      // The system prompt's tokens (the emulator's prompt cache), in both places, alike.
      expect(cached).toHaveLength(2);
      expect(cached[0]).toBeGreaterThanOrEqual(12);
      expect(cached[1]).toBe(cached[0]);
    });
  });

  describe('cached-token usage', () => {
    it("passes prompt_tokens_details and x_groq's cache counts through", async () => {
      const messages = [
        { role: 'system' as const, content: 'You are a long, shared system prompt for caching.' },
        { role: 'user' as const, content: 'first' },
      ];
      await groq.chat.completions.create({ model: 'openai/gpt-oss-120b', messages });
      const second = await groq.chat.completions.create({
        model: 'openai/gpt-oss-120b',
        messages: [messages[0], { role: 'user', content: 'second' }],
      });
      expect(second.usage?.prompt_tokens_details?.cached_tokens).toBe(13);
      expect(second.x_groq?.usage?.dram_cached_tokens).toBe(13);
    });
  });
});
