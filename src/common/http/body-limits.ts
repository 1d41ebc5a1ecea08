import { pathOf } from './path-of';

/**
 * Model calls (chat, Responses, text completions, Anthropic messages and their token count) take
 * the configured body limit; every other route (admin, anything else that takes JSON) takes at
 * most this much: nothing else the gateway serves needs a large body.
 */
export const OTHER_ROUTES_BODY_LIMIT = 1024 * 1024;

const MODEL_CALL =
  /^\/(?:v1|openai\/v1|groq\/openai\/v1|anthropic\/v1)\/(?:chat\/completions|responses|completions|messages(?:\/count_tokens)?)\/?$/;

/** The largest body a request to `url` may carry. */
export function bodyLimitFor(url: string, modelCallLimit: number): number {
  return MODEL_CALL.test(pathOf(url))
    ? modelCallLimit
    : Math.min(modelCallLimit, OTHER_ROUTES_BODY_LIMIT);
}
