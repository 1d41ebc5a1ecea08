import type { ModelPrice } from '../config/governance-config';

/**
 * Groq's list prices, USD per million tokens (input, output), so a budgeted virtual key works out
 * of the box. `governance.prices` in GATEWAY_CONFIG overrides any of them and adds others.
 *
 * As of 2026-11-30. Source: Groq's pricing page (groq.com/pricing) and models page
 * (console.groq.com/docs/models), as reproduced in Mastra's Groq provider table
 * (mastra.ai/models/providers/groq) and the aicost crate's `data_groq.rs`, which agree; the
 * gpt-oss-120b price also in braintrust-proxy issues #566 and #925 (checked against Groq's pages).
 * Check groq.com/pricing before relying on them for billing. Keyed by Groq's own (bare) model id.
 * Cached-input prices (50 % of input on Groq) are left to exact cost accounting (issue 15).
 */
export const DEFAULT_PRICES_AS_OF = '2026-11-30';

export const DEFAULT_GROQ_PRICES: Readonly<Record<string, ModelPrice>> = {
  'openai/gpt-oss-120b': { input: 0.15, output: 0.6 },
  'openai/gpt-oss-20b': { input: 0.075, output: 0.3 },
  'qwen/qwen3-32b': { input: 0.29, output: 0.59 },
  'moonshotai/kimi-k2-instruct': { input: 1.0, output: 3.0 },
  'moonshotai/kimi-k2-instruct-0905': { input: 1.0, output: 3.0 },
  'meta-llama/llama-4-scout-17b-16e-instruct': { input: 0.11, output: 0.34 },
  'meta-llama/llama-4-maverick-17b-128e-instruct': { input: 0.2, output: 0.6 },
  'meta-llama/llama-guard-4-12b': { input: 0.2, output: 0.2 },
  'llama-3.3-70b-versatile': { input: 0.59, output: 0.79 },
  'llama-3.1-8b-instant': { input: 0.05, output: 0.08 },
};
