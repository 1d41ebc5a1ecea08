import { estimateRequestTokens, estimateTokens, jsonLength } from './token-estimate';

describe('token estimate', () => {
  it('is close to the length of the JSON text, without building it', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'x'.repeat(1000) }] },
    ];
    const exact = JSON.stringify(messages).length;
    expect(jsonLength(messages)).toBeGreaterThanOrEqual(exact * 0.9);
    expect(jsonLength(messages)).toBeLessThanOrEqual(exact * 1.2);
  });

  it('adds the completion limit to the prompt guess', () => {
    const body = { messages: [{ role: 'user', content: 'x'.repeat(400) }], max_tokens: 50 };
    expect(estimateRequestTokens(body)).toBe(Math.ceil(jsonLength(body.messages) / 4) + 50);
  });

  it('estimates any value at about four characters a token', () => {
    expect(estimateTokens('x'.repeat(398))).toBe(100);
    expect(estimateTokens([])).toBe(1);
  });
});
