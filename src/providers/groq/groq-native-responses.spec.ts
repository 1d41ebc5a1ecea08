import { toNativeResponsesRequest } from './groq-native-responses';

const route = {
  provider: 'groq' as const,
  upstreamModel: 'openai/gpt-oss-20b',
  requestedModel: 'groq/openai/gpt-oss-20b',
};

describe('toNativeResponsesRequest', () => {
  it("passes the client's request on whole, with the model Groq knows", () => {
    const request = {
      model: 'groq/openai/gpt-oss-20b',
      input: [{ role: 'user', content: 'hi' }],
      previous_response_id: 'resp_1',
      store: true,
      reasoning: { effort: 'low', summary: 'auto' },
      stream: true,
    };
    const prepared = toNativeResponsesRequest(request, route);
    expect(prepared.api).toBe('responses');
    expect(prepared.body).toEqual({ ...request, model: 'openai/gpt-oss-20b' });
    expect(prepared.stream).toBe(true);
    expect(prepared.dropped).toEqual([]);
    expect(request.model).toBe('groq/openai/gpt-oss-20b');
  });

  it('takes the gateway extension `fallbacks` out of the body', () => {
    const prepared = toNativeResponsesRequest(
      { model: 'x', input: 'hi', fallbacks: ['groq/qwen/qwen3-32b'] },
      route,
    );
    expect(prepared.fallbacks).toEqual(['groq/qwen/qwen3-32b']);
    expect(prepared.body).not.toHaveProperty('fallbacks');
    expect(prepared.stream).toBe(false);
  });
});
