/**
 * The gateway's one token estimate: about four characters of JSON text a token, as OpenAI's and
 * Anthropic's guides put it. Groq counts tokens only when it answers; this is for what must be
 * known before (key selection, count_tokens) or when it never answered (a stream left early).
 */
export function estimateTokens(value: unknown): number {
  return Math.ceil(jsonLength(value) / 4);
}

/** Tokens in `characters` of generated text, at the same four characters a token. */
export function estimateTextTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/** The prompt of an upstream body: a chat body's messages, or a native Responses body's instructions and input. */
export function estimateBodyPromptTokens(body: Record<string, unknown>): number {
  return estimateTokens(body.messages ?? [body.instructions ?? '', body.input ?? '']);
}

/** The completion limit an upstream body sets (chat's two spellings, or Responses'); 0 when none. */
export function completionLimitOf(body: Record<string, unknown> | undefined): number {
  const limit = Number(
    body?.max_completion_tokens ?? body?.max_tokens ?? body?.max_output_tokens ?? 0,
  );
  return Number.isFinite(limit) ? limit : 0;
}

/**
 * A cheap upper-bound guess of the tokens a request may use (the prompt, plus the completion
 * limit), to steer away from a key whose remaining token budget cannot take it.
 */
export function estimateRequestTokens(body: Record<string, unknown>): number {
  return estimateBodyPromptTokens(body) + completionLimitOf(body);
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
