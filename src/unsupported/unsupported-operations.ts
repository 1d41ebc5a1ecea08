import { pathOf } from '../common/http/path-of';

/** Path prefixes the OpenAI surface is served under. */
export const OPENAI_PATH_PREFIXES = ['v1', 'openai/v1', 'groq/openai/v1'] as const;

/** Every concrete route path for an operation, under every prefix. */
export function unsupportedRoutePaths(paths: readonly string[]): string[] {
  return OPENAI_PATH_PREFIXES.flatMap((prefix) => paths.map((path) => `${prefix}/${path}`));
}

/** The unsupported operations' paths under any prefix, as one pattern (asked on every body). */
const UNSUPPORTED_PATH = new RegExp(
  `^/*(?:${OPENAI_PATH_PREFIXES.join('|')})/` +
    '(?:embeddings|images|audio/(?:speech|transcriptions|translations)|files|batches)(?:/|$)',
);

/** True when a URL is one of the unsupported operations (their bodies are never parsed). */
export function isUnsupportedOperationUrl(url: string): boolean {
  return UNSUPPORTED_PATH.test(pathOf(url));
}
