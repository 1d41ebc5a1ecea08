import { Observable, OperatorFunction, Subscription } from 'rxjs';
import { toGatewayError } from '../common/errors/internal-error';
import { InBandFailure } from '../sse/in-band-failure';
import type { ChatCompletionChunk, ChatUsage, FinishReason } from '../providers/chat-types';
import {
  anthropicMessageIdFor,
  anthropicUsage,
  toStopReason,
} from './anthropic-response.converter';
import { anthropicErrorType } from './anthropic-errors';
import type { AnthropicStreamEvent } from './anthropic-types';
import { StopSequenceScanner } from './stop-sequences';

/**
 * Chat chunks in, Anthropic stream events out: message_start, content blocks (text_delta,
 * input_json_delta), message_delta with stop_reason and usage, message_stop. When a stop
 * sequence matches, the text ends there (its block is closed at once) and the rest of the answer
 * is read but not sent: Groq reports usage only on its last chunk, and message_delta carries it.
 * A failure after message_start is one `error` event, then the stream ends with an InBandFailure
 * (so the call still records it); before message_start, it is passed on.
 */
export function chatChunksToAnthropicEvents(
  model: string,
  stopSequences: readonly string[],
): OperatorFunction<ChatCompletionChunk, AnthropicStreamEvent> {
  return (chunks) =>
    new Observable<AnthropicStreamEvent>((subscriber) => {
      const scanner = new StopSequenceScanner(stopSequences);
      let started = false;
      let blockIndex = -1;
      let openBlock: 'thinking' | 'text' | 'tool_use' | undefined;
      let finish: FinishReason = null;
      let usage: ChatUsage | undefined;
      let gatewayReport: unknown;
      const toolBlocks = new Map<number, number>();
      let ended = false;
      const subscription = new Subscription();

      const closeBlock = () => {
        if (openBlock) subscriber.next({ type: 'content_block_stop', index: blockIndex });
        openBlock = undefined;
      };
      const emitText = (text: string) => {
        if (!text) return;
        if (openBlock !== 'text') {
          closeBlock();
          openBlock = 'text';
          subscriber.next({
            type: 'content_block_start',
            index: ++blockIndex,
            content_block: { type: 'text', text: '' },
          });
        }
        subscriber.next({
          type: 'content_block_delta',
          index: blockIndex,
          delta: { type: 'text_delta', text },
        });
      };
      const emitThinking = (thinking: string) => {
        if (!thinking) return;
        if (openBlock !== 'thinking') {
          closeBlock();
          openBlock = 'thinking';
          subscriber.next({
            type: 'content_block_start',
            index: ++blockIndex,
            content_block: { type: 'thinking', thinking: '', signature: '' },
          });
        }
        subscriber.next({
          type: 'content_block_delta',
          index: blockIndex,
          delta: { type: 'thinking_delta', thinking },
        });
      };
      const finishMessage = () => {
        emitText(scanner.flush());
        closeBlock();
        subscriber.next({
          type: 'message_delta',
          delta: {
            stop_reason: scanner.matched !== null ? 'stop_sequence' : toStopReason(finish),
            stop_sequence: scanner.matched,
          },
          usage: anthropicUsage(usage),
          // The gateway's own report on the answer (guardrail outcomes).
          ...(gatewayReport !== undefined && { x_gateway: gatewayReport }),
        });
        subscriber.next({ type: 'message_stop' });
        ended = true;
        subscriber.complete();
      };

      subscription.add(
        chunks.subscribe({
          next(chunk) {
            if (ended) return;
            const found = chunk.x_groq?.usage ?? chunk.usage ?? undefined;
            if (found) usage = found;
            if (!started) {
              started = true;
              subscriber.next({
                type: 'message_start',
                message: {
                  id: anthropicMessageIdFor(chunk.id),
                  type: 'message',
                  role: 'assistant',
                  model,
                  content: [],
                  stop_reason: null,
                  stop_sequence: null,
                  // Groq counts the prompt only in its last chunk: the real count is in message_delta.
                  usage: {
                    input_tokens: usage ? anthropicUsage(usage).input_tokens : 0,
                    output_tokens: 0,
                  },
                },
              });
            }
            if (chunk.x_gateway !== undefined) gatewayReport = chunk.x_gateway;
            // After a stop sequence only the usage (and the gateway's report) is still read.
            if (scanner.matched !== null) return;
            const choice = chunk.choices[0];
            if (!choice) return;
            if (typeof choice.delta.reasoning === 'string') emitThinking(choice.delta.reasoning);
            if (typeof choice.delta.content === 'string') {
              emitText(scanner.push(choice.delta.content));
              if (scanner.matched !== null) {
                // The text ends at the stop sequence; the message ends with the upstream's usage.
                closeBlock();
                return;
              }
            }
            for (const call of choice.delta.tool_calls ?? []) {
              const index = call.index ?? 0;
              if (!toolBlocks.has(index)) {
                emitText(scanner.flush());
                closeBlock();
                openBlock = 'tool_use';
                toolBlocks.set(index, ++blockIndex);
                subscriber.next({
                  type: 'content_block_start',
                  index: blockIndex,
                  content_block: {
                    type: 'tool_use',
                    id: call.id ?? '',
                    name: call.function?.name ?? '',
                    input: {},
                  },
                });
              }
              const partial = call.function?.arguments;
              if (partial) {
                subscriber.next({
                  type: 'content_block_delta',
                  index: toolBlocks.get(index),
                  delta: { type: 'input_json_delta', partial_json: partial },
                });
              }
            }
            if (choice.finish_reason) finish = choice.finish_reason;
          },
          error(error: unknown) {
            if (ended) return;
            // The answer the client asked for was complete at its stop sequence.
            if (scanner.matched !== null) {
              finishMessage();
              return;
            }
            if (!started) {
              subscriber.error(error);
              return;
            }
            const failure = toGatewayError(error);
            subscriber.next({
              type: 'error',
              error: { type: anthropicErrorType(failure.status), message: failure.message },
            });
            // Told in-band, and still a failure: SseWriter records it on the call.
            subscriber.error(new InBandFailure(failure));
          },
          complete() {
            if (ended) return;
            if (started) finishMessage();
            else subscriber.complete();
          },
        }),
      );
      return () => subscription.unsubscribe();
    });
}
