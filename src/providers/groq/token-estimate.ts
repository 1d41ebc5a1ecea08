/**
 * A cheap upper-bound guess of the tokens a chat request may use (prompt at about four
 * characters a token, plus the completion limit), to steer away from a key whose remaining
 * token budget cannot take it.
 */
export function estimateRequestTokens(body: Record<string, unknown>): number {
  const prompt = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
  const limit = Number(body.max_completion_tokens ?? body.max_tokens ?? 0);
  return prompt + (Number.isFinite(limit) ? limit : 0);
}
