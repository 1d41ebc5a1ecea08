/**
 * What a call reserves is worked out from its upstream body: a prompt estimate that errs high,
 * the caller's own output limit, and the model's output cap. Pure functions.
 */

/**
 * Tokens a prompt may take, erring high: ASCII at three characters a token (tokenizers average
 * about four on English), every other character a token of its own (CJK, emoji), four tokens of
 * overhead per message and three to prime the answer; tool definitions and schemas count too.
 */
export function estimatePromptTokensHigh(body: Record<string, unknown>): number {
  // A chat body's messages, or a native Responses body's input items (or one input string).
  const items = body.messages ?? body.input;
  const messages = Array.isArray(items) ? items.length : 1;
  let ascii = 0;
  let other = 0;
  const stack: unknown[] = [
    body.messages,
    body.tools,
    body.response_format,
    body.input,
    body.instructions,
    body.text,
  ];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      for (let i = 0; i < value.length; i++) {
        if (value.charCodeAt(i) < 128) ascii++;
        else other++;
      }
      ascii += 2;
    } else if (Array.isArray(value)) {
      ascii += 1 + value.length;
      for (const item of value) stack.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const key in value) {
        ascii += key.length + 3;
        stack.push((value as Record<string, unknown>)[key]);
      }
    } else if (value !== undefined) ascii += 5;
  }
  return Math.ceil(ascii / 3) + other + 4 * messages + 3;
}

/** The caller's own limit on the answer, if it set one (chat's names, or Responses' own). */
export function explicitOutputTokens(body: Record<string, unknown>): number | undefined {
  const limit = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens;
  return typeof limit === 'number' && Number.isInteger(limit) && limit > 0 ? limit : undefined;
}

/**
 * The most output tokens Groq lets each model write (console.groq.com/docs/models, 2026-11), so
 * a clamped call never asks for more than the model takes. Unknown models: a conservative 8192.
 */
const OUTPUT_CAPS: Readonly<Record<string, number>> = {
  'llama-3.3-70b-versatile': 32_768,
  'llama-3.1-8b-instant': 131_072,
  'openai/gpt-oss-120b': 65_536,
  'openai/gpt-oss-20b': 65_536,
  'qwen/qwen3-32b': 40_960,
  'moonshotai/kimi-k2-instruct': 16_384,
  'moonshotai/kimi-k2-instruct-0905': 16_384,
  'meta-llama/llama-4-scout-17b-16e-instruct': 8_192,
  'meta-llama/llama-4-maverick-17b-128e-instruct': 8_192,
  'meta-llama/llama-guard-4-12b': 1_024,
};
export const DEFAULT_OUTPUT_CAP = 8_192;

export function outputCapOf(upstreamModel: string | undefined): number {
  return (upstreamModel && OUTPUT_CAPS[upstreamModel]) || DEFAULT_OUTPUT_CAP;
}
