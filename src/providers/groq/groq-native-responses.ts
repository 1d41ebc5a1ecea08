import type { ModelRoute, NativeResponsesValue } from '../chat-types';
import { publicModelName, type ApiSurface } from '../model-router';
import type { GroqChatRequest } from './groq-chat-parameters';

/** A Responses request as the client sent it (validated), for Groq's own endpoint. */
export interface ResponsesPassThrough {
  model: string;
  stream?: boolean;
  [field: string]: unknown;
}

/**
 * The body for Groq's `/openai/v1/responses` (responses.mode: native). Pure. It is the client's
 * own request with the model Groq knows (`openai/gpt-oss-20b` for `groq/openai/gpt-oss-20b`):
 * Groq's endpoint speaks the Responses API itself, so nothing is converted, dropped or
 * defaulted, and what Groq does not take it refuses in its own words. `fallbacks` (the gateway's
 * extension, as on chat) is the only field taken out.
 */
export function toNativeResponsesRequest(
  request: ResponsesPassThrough,
  route: ModelRoute,
): GroqChatRequest {
  const { fallbacks, ...rest } = request;
  return {
    api: 'responses',
    body: { ...rest, model: route.upstreamModel },
    dropped: [],
    includeUsage: false,
    stream: request.stream === true,
    route,
    fallbacks: Array.isArray(fallbacks)
      ? fallbacks.filter((f): f is string => typeof f === 'string')
      : [],
  };
}

/**
 * A streamed event's `response.model` as the gateway's public name (`groq/<id>` on the OpenAI
 * surface), as chat answers get it; a whole response object gets it with chat's own shaping.
 * In place; returns the value.
 */
export function withPublicModel(
  value: NativeResponsesValue,
  surface: ApiSurface,
): NativeResponsesValue {
  const response = value.response;
  if (response && typeof response.model === 'string')
    response.model = publicModelName(response.model, surface);
  return value;
}
