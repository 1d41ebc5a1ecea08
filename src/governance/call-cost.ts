import type { ModelPrice } from '../config/governance-config';
import type { ChatUsage } from '../providers/chat-types';
import { bareModelId } from '../providers/model-router';
import { responsesUsageOf } from '../providers/responses-usage';
import { isPricedByBreakdown } from './default-prices';

/** Usage as Groq reports it, with the fields cost depends on. */
export interface PricedUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  [field: string]: unknown;
}

/** What an answer (or a stream's usage chunk) carries that cost is computed from. */
export interface CostSource {
  usage?: PricedUsage | null;
  /** Compound: the usage of each model it ran. */
  usage_breakdown?: { models?: Array<{ model?: string; usage?: PricedUsage }> } | null;
  /** JSON answers: `x_groq.usage` holds Groq's cache counts (`dram_cached_tokens`, ...). */
  cachedTokens?: number;
}

/**
 * Prompt tokens Groq served from its cache: OpenAI's `prompt_tokens_details.cached_tokens`, else
 * Groq's `x_groq.usage` DRAM and SRAM cache counts.
 */
export function cachedPromptTokens(usage: PricedUsage, xGroqUsage?: unknown): number {
  const details = usage.prompt_tokens_details?.cached_tokens;
  if (typeof details === 'number') return details;
  const groq = (xGroqUsage ?? {}) as { dram_cached_tokens?: unknown; sram_cached_tokens?: unknown };
  const dram = typeof groq.dram_cached_tokens === 'number' ? groq.dram_cached_tokens : 0;
  const sram = typeof groq.sram_cached_tokens === 'number' ? groq.sram_cached_tokens : 0;
  return dram + sram;
}

/**
 * USD for one usage at one price. Cached prompt tokens at the cached rate, the rest of the prompt
 * at the input rate, completion tokens at the output rate: Groq's `completion_tokens` already holds
 * the reasoning tokens (`completion_tokens_details.reasoning_tokens` is a part of it), so
 * reasoning is priced as output and not counted twice.
 */
export function usageCostUsd(price: ModelPrice, usage: PricedUsage, cachedTokens = 0): number {
  const prompt = usage.prompt_tokens ?? 0;
  const cached = Math.min(Math.max(0, cachedTokens), prompt);
  const completion = usage.completion_tokens ?? 0;
  return (
    ((prompt - cached) * price.input +
      cached * (price.cachedInput ?? price.input) +
      completion * price.output) /
    1_000_000
  );
}

/**
 * What one call cost in USD: by `usage_breakdown` (each model at its price) when Groq gives one
 * (Compound), else the served model's usage at its price. Undefined when something used is not
 * priced: a cost that is a guess would be worse than none.
 */
export function callCostUsd(
  prices: Readonly<Record<string, ModelPrice>>,
  servedModel: string,
  source: CostSource,
): number | undefined {
  const priceOf = (model: string) => {
    const id = bareModelId(model);
    return Object.hasOwn(prices, id) ? prices[id] : undefined;
  };
  const breakdown = source.usage_breakdown?.models;
  if (Array.isArray(breakdown) && breakdown.length > 0) {
    let total = 0;
    for (const entry of breakdown) {
      const price = entry.model ? priceOf(entry.model) : undefined;
      if (!price || !entry.usage) return undefined;
      total += usageCostUsd(price, entry.usage, cachedPromptTokens(entry.usage));
    }
    return total;
  }
  if (!source.usage || isPricedByBreakdown(bareModelId(servedModel))) return undefined;
  const price = priceOf(servedModel);
  if (!price) return undefined;
  return usageCostUsd(price, source.usage, source.cachedTokens ?? cachedPromptTokens(source.usage));
}

/**
 * USD as a plain decimal for a header or a log: no exponent, enough digits that a real Groq call
 * (millionths of a dollar) never reads 0, trailing zeros trimmed.
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return '0';
  const fixed = usd.toFixed(12);
  // Trailing zeros, then a bare point, trimmed (by hand: two regexes per call were measurable).
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 48) end--;
  if (fixed.charCodeAt(end - 1) === 46) end--;
  return end === 1 && fixed[0] === '0' ? '0.000000000001' : fixed.slice(0, end);
}

/**
 * The usage an answer or chunk reports (top-level, else a stream's `x_groq.usage`; a native
 * Responses answer's in chat's words).
 */
export function reportedUsage(value: unknown): ChatUsage | undefined {
  const responses = responsesUsageOf(value);
  if (responses) return responses;
  const carrier = value as { usage?: ChatUsage | null; x_groq?: { usage?: ChatUsage | null } };
  if (carrier.usage && typeof carrier.usage.prompt_tokens === 'number') return carrier.usage;
  const groq = carrier.x_groq?.usage;
  if (groq && typeof groq.prompt_tokens === 'number') return groq;
  return undefined;
}

/** The cost inputs of an answer or chunk. */
export function costSourceOf(value: unknown): CostSource {
  const carrier = value as {
    usage_breakdown?: CostSource['usage_breakdown'];
    x_groq?: { usage?: unknown; usage_breakdown?: CostSource['usage_breakdown'] };
  };
  const usage = reportedUsage(value);
  const xGroqUsage = carrier.x_groq?.usage;
  return {
    usage,
    usage_breakdown: carrier.usage_breakdown ?? carrier.x_groq?.usage_breakdown,
    cachedTokens: usage ? cachedPromptTokens(usage, xGroqUsage) : undefined,
  };
}
