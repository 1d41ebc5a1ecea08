import type { ErrorCode } from '../common/errors/error-codes';
import { explicitOutputTokens } from '../governance/reservation-inputs';
import type { ChatUsage } from '../providers/chat-types';
import { estimateTextTokens } from '../providers/token-estimate';
import { CLIENT_CLOSED_REQUEST } from './ended-call';

/** What the end of a call Groq never reported usage for tells about what it used. */
export interface UnreportedUsageInputs {
  readonly upstreamStarted: boolean;
  readonly status: number;
  readonly errorCode?: ErrorCode;
  /** Generated text the client was sent in stream frames: characters, and frames with any. */
  readonly streamedTextChars: number;
  readonly streamedTextFrames: number;
  /** What went upstream: its output limit (a clamp included) bounds what Groq can have written. */
  readonly upstream?: { readonly body: Record<string, unknown> };
  estimatePromptTokens(): number;
}

/**
 * The usage of a call that reached Groq but never got Groq's report of it (a stream the client
 * left before the last chunk, a stream that failed mid-way, a JSON call given up on), as the
 * gateway charges and reports it (docs/budgets.md, "Settlement"):
 * - its prompt, estimated;
 * - the output the client was sent: at least a token per frame that carried text, and at least
 *   its characters at four a token; never more than the output limit Groq was sent, which Groq
 *   cannot have passed.
 * A call that was sent nothing and failed is charged nothing: Groq does not bill a failure.
 */
export function unreportedUsage(call: UnreportedUsageInputs): ChatUsage | undefined {
  if (!call.upstreamStarted) return undefined;
  let output = 0;
  if (call.streamedTextFrames > 0) {
    output = Math.max(call.streamedTextFrames, estimateTextTokens(call.streamedTextChars));
    const limit = call.upstream && explicitOutputTokens(call.upstream.body);
    if (limit !== undefined) output = Math.min(output, limit);
  } else {
    const failed =
      call.status === CLIENT_CLOSED_REQUEST ? call.errorCode !== undefined : call.status >= 400;
    if (failed) return undefined;
  }
  const prompt = call.estimatePromptTokens();
  return { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output };
}
