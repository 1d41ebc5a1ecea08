import {
  callCostUsd,
  cachedPromptTokens,
  costSourceOf,
  formatUsd,
  usageCostUsd,
} from './call-cost';
import { DEFAULT_GROQ_PRICES, effectivePrices } from './default-prices';

const prices = effectivePrices({});

describe('usageCostUsd', () => {
  it('prices cached prompt tokens at the cached rate and the rest at the input rate', () => {
    const price = { input: 0.15, cachedInput: 0.075, output: 0.6 };
    const usage = { prompt_tokens: 1000, completion_tokens: 100 };
    expect(usageCostUsd(price, usage, 0)).toBeCloseTo((1000 * 0.15 + 100 * 0.6) / 1e6, 15);
    expect(usageCostUsd(price, usage, 800)).toBeCloseTo(
      (200 * 0.15 + 800 * 0.075 + 100 * 0.6) / 1e6,
      15,
    );
  });

  it('prices reasoning as output once: it is part of completion_tokens', () => {
    const price = { input: 1, output: 2 };
    const usage = {
      prompt_tokens: 0,
      completion_tokens: 50,
      completion_tokens_details: { reasoning_tokens: 40 },
    };
    expect(usageCostUsd(price, usage)).toBeCloseTo(100 / 1e6, 15);
  });
});

describe('cachedPromptTokens', () => {
  it("reads OpenAI's prompt_tokens_details, else Groq's x_groq.usage cache counts", () => {
    expect(cachedPromptTokens({ prompt_tokens_details: { cached_tokens: 7 } })).toBe(7);
    expect(cachedPromptTokens({}, { dram_cached_tokens: 3, sram_cached_tokens: 2 })).toBe(5);
    expect(cachedPromptTokens({})).toBe(0);
  });
});

describe('callCostUsd', () => {
  it('prices a JSON answer by the served model', () => {
    const answer = {
      usage: { prompt_tokens: 100, completion_tokens: 10 },
      x_groq: { id: 'req_1', usage: { dram_cached_tokens: 60 } },
    };
    const price = DEFAULT_GROQ_PRICES['openai/gpt-oss-120b'];
    expect(callCostUsd(prices, 'groq/openai/gpt-oss-120b', costSourceOf(answer))).toBeCloseTo(
      (40 * price.input + 60 * price.cachedInput! + 10 * price.output) / 1e6,
      15,
    );
  });

  it('prices Compound by its usage_breakdown, each model at its own price', () => {
    const answer = {
      usage: { prompt_tokens: 300, completion_tokens: 30 },
      usage_breakdown: {
        models: [
          { model: 'openai/gpt-oss-120b', usage: { prompt_tokens: 200, completion_tokens: 20 } },
          { model: 'openai/gpt-oss-20b', usage: { prompt_tokens: 100, completion_tokens: 10 } },
        ],
      },
    };
    expect(callCostUsd(prices, 'groq/compound', costSourceOf(answer))).toBeCloseTo(
      (200 * 0.15 + 20 * 0.6 + 100 * 0.075 + 10 * 0.3) / 1e6,
      15,
    );
  });

  it('gives no cost when a model used has no price, rather than a guess', () => {
    const usage = { usage: { prompt_tokens: 1, completion_tokens: 1 } };
    expect(callCostUsd(prices, 'groq/unknown-model', costSourceOf(usage))).toBeUndefined();
    expect(callCostUsd(prices, 'groq/compound', costSourceOf(usage))).toBeUndefined();
  });

  it("reads a stream's x_groq.usage", () => {
    const chunk = { x_groq: { usage: { prompt_tokens: 10, completion_tokens: 0 } } };
    expect(callCostUsd(prices, 'llama-3.1-8b-instant', costSourceOf(chunk))).toBeCloseTo(
      (10 * 0.05) / 1e6,
      15,
    );
  });
});

describe('formatUsd', () => {
  it('writes a plain decimal that never reads 0 for a real call', () => {
    expect(formatUsd((1 * 0.05) / 1e6)).toBe('0.00000005');
    expect(formatUsd(0.000123)).toBe('0.000123');
    expect(formatUsd(1.5)).toBe('1.5');
    expect(formatUsd(0)).toBe('0');
  });
});
