import { chatUsageOf, responsesUsageOf } from './responses-usage';

describe('responsesUsageOf', () => {
  const usage = {
    input_tokens: 120,
    output_tokens: 30,
    total_tokens: 150,
    input_tokens_details: { cached_tokens: 100 },
    output_tokens_details: { reasoning_tokens: 12 },
  };

  it('reads a response object in chat words, cached and reasoning tokens kept', () => {
    expect(responsesUsageOf({ object: 'response', usage })).toEqual({
      prompt_tokens: 120,
      completion_tokens: 30,
      total_tokens: 150,
      prompt_tokens_details: { cached_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 12 },
    });
  });

  it('reads the usage of a final streamed event', () => {
    expect(
      responsesUsageOf({ type: 'response.completed', sequence_number: 9, response: { usage } })
        ?.prompt_tokens,
    ).toBe(120);
  });

  it('finds none in events without usage, nor in chat completions', () => {
    expect(
      responsesUsageOf({ type: 'response.created', response: { usage: null } }),
    ).toBeUndefined();
    expect(responsesUsageOf({ type: 'response.output_text.delta', delta: 'hi' })).toBeUndefined();
    expect(
      responsesUsageOf({ object: 'chat.completion', usage: { prompt_tokens: 3 } }),
    ).toBeUndefined();
  });

  it('adds up a total Groq left out', () => {
    expect(chatUsageOf({ input_tokens: 5, output_tokens: 7 })?.total_tokens).toBe(12);
  });
});
