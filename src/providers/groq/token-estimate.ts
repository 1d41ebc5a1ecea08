/**
 * A cheap upper-bound guess of the tokens a chat request may use (prompt at about four
 * characters a token, plus the completion limit), to steer away from a key whose remaining
 * token budget cannot take it.
 */
export function estimateRequestTokens(body: Record<string, unknown>): number {
  const prompt = Math.ceil(jsonLength(body.messages ?? []) / 4);
  const limit = Number(body.max_completion_tokens ?? body.max_tokens ?? 0);
  return prompt + (Number.isFinite(limit) ? limit : 0);
}

/**
 * About the length of `JSON.stringify(value)` without building the string (this runs on every
 * request): string lengths plus a few characters of punctuation per key and element.
 */
export function jsonLength(value: unknown): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === 'string') total += current.length + 2;
    else if (Array.isArray(current)) {
      total += 2 + current.length;
      for (const item of current) stack.push(item);
    } else if (typeof current === 'object' && current !== null) {
      total += 2;
      for (const key in current) {
        total += key.length + 4;
        stack.push((current as Record<string, unknown>)[key]);
      }
    } else total += 5;
  }
  return total;
}
