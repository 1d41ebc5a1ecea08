/**
 * Fault modes, chosen per request: by the `x-emulator-fault` header, by a `[fault:...]` directive
 * in the last user message (so a test can reach it through the gateway), or from a queue the test
 * fills (`POST /_emulator/faults`, or `emulator.queueFaults()`).
 *
 *   429[;retry-after=S]  rate limited, with retry-after and x-ratelimit-* headers
 *   500 | 502 | 503 | 413 | 401 | 498 ...   that status in Groq's error envelope
 *   reset                the connection is destroyed before any byte
 *   slow=MS              the first byte comes after MS milliseconds
 *   cut[=N]              the answer stops after N chunks (stream) or half the body, socket destroyed
 *   stream-error[=N]     after N chunks, Groq's `event: error` and the stream ends without [DONE]
 *   latency=F,C          a latency profile for this request: first byte after F ms, C ms between chunks
 *   stall[=N]            after N chunks, the stream goes silent with the connection left open
 *   hang                 never answers (until the client gives up)
 *   malformed=KIND[;after=N]  a 200 that is not what Groq promises: the JSON body, or the stream's
 *                        event after N chunks (default 1, then the stream ends), is KIND: null,
 *                        empty ({}), no-choices, null-choice, truncated, or html (a proxy's page)
 *   echo-key=STATUS      an error whose message quotes the key it was sent (as some proxies do)
 */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: number }
  | { kind: 'reset' }
  | { kind: 'slow'; ms: number }
  | { kind: 'cut'; afterChunks: number }
  | { kind: 'stream-error'; afterChunks: number }
  | { kind: 'stall'; afterChunks: number }
  | { kind: 'latency'; firstByteMs: number; chunkMs: number }
  | { kind: 'hang' }
  | { kind: 'malformed'; body: string; afterChunks: number }
  | { kind: 'echo-key'; status: number };

/** What `malformed=KIND` answers instead of Groq's JSON. */
export const MALFORMED_BODIES: Readonly<Record<string, string>> = {
  null: 'null',
  empty: '{}',
  'no-choices': '{"id":"chatcmpl-x","object":"chat.completion","created":1,"model":"m"}',
  'null-choice': '{"id":"chatcmpl-x","object":"chat.completion","created":1,"choices":[null]}',
  truncated: '{"id":"chatcmpl-x","object":"chat.completion","choices":[{"index":0,"mess',
  html: '<html><body><h1>502 Bad Gateway</h1></body></html>',
};

export function parseFault(spec: string): Fault | undefined {
  const [head, ...options] = spec.trim().split(/[;\s]+/);
  const [name, value] = head.split('=');
  const option = (key: string) => options.find((o) => o.startsWith(`${key}=`))?.split('=')[1];
  if (/^\d{3}$/.test(name)) {
    const retryAfter = option('retry-after');
    return {
      kind: 'status',
      status: Number(name),
      retryAfter: retryAfter === undefined ? undefined : Number(retryAfter),
    };
  }
  switch (name) {
    case 'reset':
      return { kind: 'reset' };
    case 'slow':
      return { kind: 'slow', ms: Number(value ?? 1000) };
    case 'cut':
      return { kind: 'cut', afterChunks: Number(value ?? 2) };
    case 'stream-error':
      return { kind: 'stream-error', afterChunks: Number(value ?? 2) };
    case 'latency': {
      const [first, chunk] = (value ?? '0,0').split(',').map(Number);
      return { kind: 'latency', firstByteMs: first || 0, chunkMs: chunk || 0 };
    }
    case 'stall':
      return { kind: 'stall', afterChunks: Number(value ?? 2) };
    case 'hang':
      return { kind: 'hang' };
    case 'malformed': {
      const body = MALFORMED_BODIES[value ?? 'null'];
      if (body === undefined) return undefined;
      return { kind: 'malformed', body, afterChunks: Number(option('after') ?? 1) };
    }
    case 'echo-key':
      return { kind: 'echo-key', status: Number(value ?? 401) };
    default:
      return undefined;
  }
}

const DIRECTIVE = /\[fault:([^\]]+)\]/;

/** A `[fault:...]` directive in a message's text, if any. */
export function faultDirectiveIn(text: string): Fault | undefined {
  const match = DIRECTIVE.exec(text);
  return match ? parseFault(match[1]) : undefined;
}
