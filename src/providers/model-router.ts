import { invalidRequest } from '../common/errors/gateway-error';
import type { ModelRoute } from './chat-types';

/** Provider prefixes the gateway knows. Anything else is a Groq id as a whole (`openai/gpt-oss-120b`). */
const PROVIDER_PREFIXES = { groq: 'groq/' } as const;

/**
 * Maps a client's model string to the provider and upstream id.
 * `groq/<id>` goes to Groq as `<id>`; a string with no known prefix goes to the default provider
 * (Groq) whole, so Groq's own namespaced ids work unchanged.
 */
export function routeModel(model: string, param = 'model'): ModelRoute {
  const trimmed = model.trim();
  if (!trimmed)
    throw invalidRequest(
      'model must be a non-empty string such as groq/llama-3.3-70b-versatile',
      param,
    );
  if (trimmed.startsWith(PROVIDER_PREFIXES.groq)) {
    const upstreamModel = trimmed.slice(PROVIDER_PREFIXES.groq.length);
    if (!upstreamModel) {
      throw invalidRequest(
        `model '${model}' names the groq provider but no model; use groq/<model id>`,
        param,
      );
    }
    return { provider: 'groq', upstreamModel, requestedModel: model };
  }
  return { provider: 'groq', upstreamModel: trimmed, requestedModel: model };
}

/** The public id of a Groq model as the gateway lists it. */
export function publicGroqModelId(upstreamId: string): string {
  return `${PROVIDER_PREFIXES.groq}${upstreamId}`;
}
