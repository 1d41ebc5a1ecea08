import { pathOf } from './path-of';

/** The endpoints a client reaches under an OpenAI-style base URL (`.../v1`). */
const OPENAI_ENDPOINT =
  /^\/(chat\/completions|responses|completions|models|embeddings|images|audio|files|batches)(\/.*)?$/;

/**
 * For a URL the gateway does not serve, the one it probably meant: a base URL set without its
 * `/v1` (the most common set-up mistake) sends `/chat/completions`, `/openai/chat/completions`,
 * `/groq/chat/completions` or `/anthropic/messages`.
 */
export function suggestedPath(url: string): string | undefined {
  const path = pathOf(url);
  for (const [prefix, base] of [
    ['/openai/v1', '/openai/v1'],
    ['/groq/openai/v1', '/groq/openai/v1'],
    ['/groq/v1', '/groq/openai/v1'],
    ['/groq/openai', '/groq/openai/v1'],
    ['/groq', '/groq/openai/v1'],
    ['/openai', '/openai/v1'],
    ['', '/v1'],
  ] as const) {
    if (!path.startsWith(`${prefix}/`)) continue;
    const rest = path.slice(prefix.length);
    if (OPENAI_ENDPOINT.test(rest) && `${base}${rest}` !== path) return `${base}${rest}`;
  }
  if (/^\/(anthropic\/)?(v1\/)?messages(\/count_tokens)?$/.test(path)) {
    const rest = path.slice(path.indexOf('messages'));
    return `/anthropic/v1/${rest}`;
  }
  return undefined;
}
