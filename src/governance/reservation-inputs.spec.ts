import { estimatePromptTokensHigh, explicitOutputTokens, outputCapOf } from './reservation-inputs';

describe('reservation inputs', () => {
  it('estimates a prompt high: above four characters a token, every non-ASCII character a token', () => {
    const english = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const tokens = estimatePromptTokensHigh({ messages: [{ role: 'user', content: english }] });
    expect(tokens).toBeGreaterThan(english.length / 4);
    const cjk = '你好世界'.repeat(50);
    expect(
      estimatePromptTokensHigh({ messages: [{ role: 'user', content: cjk }] }),
    ).toBeGreaterThan(cjk.length);
  });

  it('counts per-message overhead and tools', () => {
    const one = estimatePromptTokensHigh({ messages: [{ role: 'user', content: 'hi' }] });
    const two = estimatePromptTokensHigh({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(two - one).toBeGreaterThanOrEqual(4);
    const withTools = estimatePromptTokensHigh({
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'lookup', description: 'x'.repeat(300) } }],
    });
    expect(withTools - one).toBeGreaterThanOrEqual(100);
  });

  it('reads the caller limit and the model cap', () => {
    expect(explicitOutputTokens({ max_completion_tokens: 50, max_tokens: 9 })).toBe(50);
    expect(explicitOutputTokens({ max_tokens: 9 })).toBe(9);
    expect(explicitOutputTokens({})).toBeUndefined();
    expect(outputCapOf('llama-3.3-70b-versatile')).toBe(32_768);
    expect(outputCapOf('someone/new-model')).toBe(8_192);
  });
});
