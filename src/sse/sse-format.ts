import { jsonText } from '../common/http/raw-json';
import { SetMetadata } from '@nestjs/common';
import type { GatewayError } from '../common/errors/gateway-error';

/** How one API family writes its events on the wire. */
export interface SseFormat {
  /** One emission of the handler's Observable as one SSE frame. */
  frame(value: unknown): string;
  /**
   * The in-band frame for a failure after the 200 was sent; `last` is the last value framed on
   * this stream (so a numbered stream can number its error event after it).
   */
  errorFrame(error: GatewayError, last: unknown): string;
  /** Written when the stream completes (OpenAI chat's `data: [DONE]`), if any. */
  doneFrame?: string;
}

export const SSE_FORMAT = Symbol('sse-format');

/** Chat completions: bare `data:` lines, `[DONE]` at the end, the error envelope in-band. */
export const OPENAI_CHAT_SSE: SseFormat = {
  frame: (value) => `data: ${jsonText(value)}\n\n`,
  errorFrame: (error) => `data: ${JSON.stringify(error.toEnvelope())}\n\n`,
  doneFrame: 'data: [DONE]\n\n',
};

/** Event-typed streams (Responses, Anthropic): `event: <type>` before each `data:` line. */
export function typedEventFrame(value: unknown): string {
  const type = (value as { type?: unknown }).type;
  return `event: ${String(type)}\ndata: ${JSON.stringify(value)}\n\n`;
}

/** Chooses the SSE format of a controller or handler; chat's is the default. */
export const UseSseFormat = (format: SseFormat) => SetMetadata(SSE_FORMAT, format);
