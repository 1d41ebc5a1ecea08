import { admissionHeaders, anthropicAdmissionHeaders } from './admission-headers';

describe('admissionHeaders', () => {
  const now = 1_000_000;
  const admission = {
    admitted: true,
    requestsInWindow: 4,
    tokensInWindow: 1200,
    spentNanoUsd: 250_000_000,
    requestsResetMs: now + 59_500,
    reservedTokens: 0,
    reservedNanoUsd: 0,
    tokensResetMs: now + 61_000,
  };

  it('says where the key stands, in the x-ratelimit-* names Groq and OpenAI use', () => {
    expect(
      admissionHeaders(
        { requestsPerMinute: 10, tokensPerMinute: 1000, budget: { usd: 1, period: 'daily' } },
        admission,
        now,
        Date.UTC(2026, 10, 25),
      ),
    ).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '6',
      'x-ratelimit-reset-requests': '59.5s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '1m1s',
      'x-gateway-budget-limit-usd': '1',
      'x-gateway-budget-remaining-usd': '0.750000',
      'x-gateway-budget-in-flight-usd': '0.000000',
      'x-gateway-budget-reset': '2026-11-25T00:00:00.000Z',
    });
  });

  it('says nothing of limits a key does not have', () => {
    expect(admissionHeaders({}, admission, now)).toEqual({});
  });

  it("says it in Anthropic's names too, resets as times", () => {
    expect(
      anthropicAdmissionHeaders({ requestsPerMinute: 10, tokensPerMinute: 1000 }, admission),
    ).toEqual({
      'anthropic-ratelimit-requests-limit': '10',
      'anthropic-ratelimit-requests-remaining': '6',
      'anthropic-ratelimit-requests-reset': new Date(now + 59_500).toISOString(),
      'anthropic-ratelimit-tokens-limit': '1000',
      'anthropic-ratelimit-tokens-remaining': '0',
      'anthropic-ratelimit-tokens-reset': new Date(now + 61_000).toISOString(),
    });
  });
});
