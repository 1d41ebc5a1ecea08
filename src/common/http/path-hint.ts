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
  // A trailing slash: the path without it, when that is one the gateway serves (or names).
  if (path.length > 1 && path.endsWith('/')) {
    const trimmed = path.replace(/\/+$/, '');
    return suggestedPath(trimmed) ?? (isServedPath(trimmed) ? trimmed : undefined);
  }
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

/** Whether `path` is one of the endpoints above under a base URL the gateway serves. */
function isServedPath(path: string): boolean {
  const base = /^(\/openai|\/groq\/openai)?\/v1(\/.*)$/.exec(path);
  if (base) return OPENAI_ENDPOINT.test(base[2]);
  return /^\/anthropic\/v1\/messages(\/count_tokens)?$/.test(path);
}
