import type { ModelPrice } from '../config/governance-config';

const price = (input: number, output: number): ModelPrice => ({
  input,
  cachedInput: input / 2,
  output,
});

/**
 * Groq's list prices, USD per million tokens: input, cached input (prompt tokens Groq served from
 * its prompt cache) and output, so a budgeted virtual key works out of the box and every call is
 * priced. `governance.prices` in GATEWAY_CONFIG overrides any of them and adds others.
 *
 * As of 2026-11-30. Source: Groq's pricing page (groq.com/pricing) and models page
 * (console.groq.com/docs/models), as reproduced in Mastra's Groq provider table
 * (mastra.ai/models/providers/groq) and the aicost crate's `data_groq.rs`, which agree; the
 * gpt-oss-120b price also in braintrust-proxy issues #566 and #925 (checked against Groq's pages)
 * and its cache-hit price ($0.075) in tokenmix.ai's 2026-06-04 survey. Cached input is half the
 * input price, as Groq's prompt-caching page says (console.groq.com/docs/prompt-caching). Check
 * groq.com/pricing before relying on them for billing. Keyed by Groq's own (bare) model id.
 * Compound has no price of its own: it is priced from its `usage_breakdown` (call-cost.ts).
 */
export const DEFAULT_GROQ_PRICES: Readonly<Record<string, ModelPrice>> = {
  'openai/gpt-oss-120b': price(0.15, 0.6),
  'openai/gpt-oss-20b': price(0.075, 0.3),
  'openai/gpt-oss-safeguard-20b': price(0.075, 0.3),
  'qwen/qwen3-32b': price(0.29, 0.59),
  'moonshotai/kimi-k2-instruct': price(1.0, 3.0),
  'moonshotai/kimi-k2-instruct-0905': price(1.0, 3.0),
  'meta-llama/llama-4-scout-17b-16e-instruct': price(0.11, 0.34),
  'meta-llama/llama-4-maverick-17b-128e-instruct': price(0.2, 0.6),
  'meta-llama/llama-guard-4-12b': price(0.2, 0.2),
  // Retired on 2026-08-16 (providers/groq/groq-retirements.ts); kept so their usage is priced.
  'llama-3.3-70b-versatile': price(0.59, 0.79),
  'llama-3.1-8b-instant': price(0.05, 0.08),
};

/** Models priced by what they used of other models (Groq's Compound systems). */
export function isPricedByBreakdown(upstreamId: string): boolean {
  return upstreamId.startsWith('groq/compound');
}

/** The shipped table with `governance.prices` over it. */
export function effectivePrices(
  configured: Readonly<Record<string, ModelPrice>>,
): Record<string, ModelPrice> {
  return { ...DEFAULT_GROQ_PRICES, ...configured };
}
