import type { BudgetPeriod, ModelPrice } from '../config/governance-config';
import type { ChatUsage } from '../providers/chat-types';

/** Spend is counted in whole nano-dollars, so Redis can add it atomically with INCRBY. */
export const NANO_USD_PER_USD = 1_000_000_000;

export interface PeriodWindow {
  /** `2026-11-24` for a daily budget, `2026-11` for a monthly one (UTC). */
  label: string;
  /** When the period ends and the budget is whole again, in ms since the epoch. */
  endsAtMs: number;
}

/** The budget period `nowMs` falls in, in UTC. */
export function budgetPeriod(period: BudgetPeriod, nowMs: number): PeriodWindow {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const pad = (n: number) => String(n).padStart(2, '0');
  if (period === 'daily') {
    const day = now.getUTCDate();
    return {
      label: `${year}-${pad(month + 1)}-${pad(day)}`,
      endsAtMs: Date.UTC(year, month, day + 1),
    };
  }
  return { label: `${year}-${pad(month + 1)}`, endsAtMs: Date.UTC(year, month + 1, 1) };
}

/** What a call cost, in nano-dollars: prices are USD per million tokens. */
export function costNanoUsd(
  price: ModelPrice,
  usage: Pick<ChatUsage, 'prompt_tokens' | 'completion_tokens'>,
): number {
  return Math.round(
    (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) *
      (NANO_USD_PER_USD / 1_000_000),
  );
}

export function usdFromNano(nano: number): number {
  return nano / NANO_USD_PER_USD;
}
