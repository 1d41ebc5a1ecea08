import { Observable, OperatorFunction } from 'rxjs';
import { toGatewayError } from '../common/errors/internal-error';
import { InBandFailure } from '../sse/in-band-failure';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatToolCall,
  ChatUsage,
  FinishReason,
} from '../providers/chat-types';
import {
  chatToResponse,
  functionCallItem,
  functionCallItemIdFor,
  messageItem,
  messageItemIdFor,
  reasoningItem,
  reasoningItemIdFor,
  responseShell,
} from './responses-response.converter';
import type { ResponsesRequest, ResponsesStreamEvent } from './responses-types';

/**
 * Chat chunks in, Responses events out, in OpenAI's order. The final `response.completed` is built
 * by the same converter as the JSON answer, from the chunks accumulated into one chat completion,
 * so a streamed call and a JSON call of the same upstream answer end with the same response.
 *
 * A failure after the first event becomes one `error` event (`response.failed` for a guardrail's
 * refusal), then the stream ends with an InBandFailure, so the call still records it; a failure
 * before it is passed on, so the client gets a real HTTP status.
 */
export function chatChunksToResponsesEvents(
  request: ResponsesRequest,
): OperatorFunction<ChatCompletionChunk, ResponsesStreamEvent> {
  return (chunks) =>
    new Observable<ResponsesStreamEvent>((subscriber) => {
      let sequence = 0;
      const emit = (event: Omit<ResponsesStreamEvent, 'sequence_number'>) =>
        subscriber.next({ ...event, sequence_number: sequence++ } as ResponsesStreamEvent);
      const state = new StreamState();

      const closeReasoning = () => {
        if (state.reasoningIndex === undefined || state.reasoningClosed) return;
        state.reasoningClosed = true;
        const itemId = reasoningItemIdFor(state.id);
        const part = { type: 'summary_text', text: state.reasoning };
        emit({
          type: 'response.reasoning_summary_text.done',
          item_id: itemId,
          output_index: state.reasoningIndex,
          summary_index: 0,
          text: state.reasoning,
        });
        emit({
          type: 'response.reasoning_summary_part.done',
          item_id: itemId,
          output_index: state.reasoningIndex,
          summary_index: 0,
          part,
        });
        emit({
          type: 'response.output_item.done',
          output_index: state.reasoningIndex,
          item: reasoningItem(state.id, state.reasoning, state.itemStatus()),
        });
      };
      const closeMessage = () => {
        if (state.messageIndex === undefined || state.messageClosed) return;
        state.messageClosed = true;
        const itemId = messageItemIdFor(state.id);
        const part = { type: 'output_text', text: state.text, annotations: [], logprobs: [] };
        emit({
          type: 'response.output_text.done',
          item_id: itemId,
          output_index: state.messageIndex,
          content_index: 0,
          text: state.text,
          logprobs: [],
        });
        emit({
          type: 'response.content_part.done',
          item_id: itemId,
          output_index: state.messageIndex,
          content_index: 0,
          part,
        });
        emit({
          type: 'response.output_item.done',
          output_index: state.messageIndex,
          item: messageItem(state.id, state.text, state.itemStatus()),
        });
      };
      const closeCall = (call: AccumulatedCall) => {
        if (call.closed) return;
        call.closed = true;
        const itemId = functionCallItemIdFor(call.id);
        emit({
          type: 'response.function_call_arguments.done',
          item_id: itemId,
          name: call.name,
          output_index: call.outputIndex,
          arguments: call.arguments,
        });
        emit({
          type: 'response.output_item.done',
          output_index: call.outputIndex,
          item: functionCallItem(call.id, call.name, call.arguments, state.itemStatus()),
        });
      };

      const subscription = chunks.subscribe({
        next(chunk) {
          if (!state.started) {
            state.start(chunk);
            const shell = responseShell(chunk.id, chunk.created, chunk.model, request);
            emit({ type: 'response.created', response: shell });
            emit({ type: 'response.in_progress', response: shell });
          }
          const choice = chunk.choices[0];
          const usage = chunk.x_groq?.usage ?? chunk.usage ?? undefined;
          if (usage) state.usage = usage;
          // The gateway's own report on the answer (guardrail outcomes), for the final event.
          if (chunk.x_gateway !== undefined) state.gatewayReport = chunk.x_gateway;
          if (!choice) return;
          const thought = choice.delta.reasoning;
          if (typeof thought === 'string' && thought.length > 0 && !state.reasoningClosed) {
            if (state.reasoningIndex === undefined) {
              state.reasoningIndex = state.nextOutputIndex++;
              emit({
                type: 'response.output_item.added',
                output_index: state.reasoningIndex,
                item: reasoningItem(state.id, '', 'in_progress'),
              });
              emit({
                type: 'response.reasoning_summary_part.added',
                item_id: reasoningItemIdFor(state.id),
                output_index: state.reasoningIndex,
                summary_index: 0,
                part: { type: 'summary_text', text: '' },
              });
            }
            state.reasoning += thought;
            emit({
              type: 'response.reasoning_summary_text.delta',
              item_id: reasoningItemIdFor(state.id),
              output_index: state.reasoningIndex,
              summary_index: 0,
              delta: thought,
            });
          }
          const content = choice.delta.content;
          if (typeof content === 'string' && content.length > 0) {
            closeReasoning();
            if (state.messageIndex === undefined) {
              state.messageIndex = state.nextOutputIndex++;
              const itemId = messageItemIdFor(state.id);
              emit({
                type: 'response.output_item.added',
                output_index: state.messageIndex,
                item: messageItem(state.id, '', 'in_progress'),
              });
              emit({
                type: 'response.content_part.added',
                item_id: itemId,
                output_index: state.messageIndex,
                content_index: 0,
                part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
              });
            }
            state.text += content;
            emit({
              type: 'response.output_text.delta',
              item_id: messageItemIdFor(state.id),
              output_index: state.messageIndex,
              content_index: 0,
              delta: content,
              logprobs: [],
            });
          }
          for (const delta of choice.delta.tool_calls ?? []) {
            const index = delta.index ?? 0;
            let call = state.calls.get(index);
            if (!call) {
              closeReasoning();
              closeMessage();
              for (const open of state.calls.values()) closeCall(open);
              call = {
                id: delta.id ?? `call_${index}`,
                name: delta.function?.name ?? '',
                arguments: '',
                outputIndex: state.nextOutputIndex++,
                closed: false,
              };
              state.calls.set(index, call);
              emit({
                type: 'response.output_item.added',
                output_index: call.outputIndex,
                item: functionCallItem(call.id, call.name, '', 'in_progress'),
              });
            }
            const piece = delta.function?.arguments ?? '';
            if (piece) {
              call.arguments += piece;
              emit({
                type: 'response.function_call_arguments.delta',
                item_id: functionCallItemIdFor(call.id),
                output_index: call.outputIndex,
                delta: piece,
              });
            }
          }
          if (choice.finish_reason) state.finishReason = choice.finish_reason;
        },
        error(error: unknown) {
          if (!state.started) {
            subscriber.error(error);
            return;
          }
          const failure = toGatewayError(error);
          if (failure.code === 'guardrail_blocked') {
            // The answer itself was refused: the response failed, as OpenAI reports its own refusals.
            const shell = responseShell(state.id, state.created, state.model, request);
            emit({
              type: 'response.failed',
              response: {
                ...shell,
                status: 'failed',
                error: { code: failure.code, message: failure.message },
              },
            });
          } else {
            emit({
              type: 'error',
              code: failure.code,
              message: failure.message,
              param: failure.param,
            });
          }
          // Told in-band, and still a failure: SseWriter records it on the call.
          subscriber.error(new InBandFailure(failure));
        },
        complete() {
          if (!state.started) {
            subscriber.complete();
            return;
          }
          closeReasoning();
          closeMessage();
          for (const call of state.calls.values()) closeCall(call);
          const response = chatToResponse(state.toChatCompletion(), request);
          emit({
            type: response.status === 'incomplete' ? 'response.incomplete' : 'response.completed',
            response,
            ...(state.gatewayReport !== undefined && { x_gateway: state.gatewayReport }),
          });
          subscriber.complete();
        },
      });
      return () => subscription.unsubscribe();
    });
}

interface AccumulatedCall {
  id: string;
  name: string;
  arguments: string;
  outputIndex: number;
  closed: boolean;
}

/** What the chunks have said so far, accumulated into one chat completion. */
class StreamState {
  started = false;
  id = '';
  created = 0;
  model = '';
  text = '';
  reasoning = '';
  reasoningIndex?: number;
  reasoningClosed = false;
  messageIndex?: number;
  messageClosed = false;
  nextOutputIndex = 0;
  readonly calls = new Map<number, AccumulatedCall>();
  finishReason: FinishReason = null;
  usage?: ChatUsage;
  gatewayReport?: unknown;

  start(chunk: ChatCompletionChunk): void {
    this.started = true;
    this.id = chunk.id;
    this.created = chunk.created;
    this.model = chunk.model;
  }

  itemStatus(): 'completed' | 'incomplete' {
    return this.finishReason === 'length' ? 'incomplete' : 'completed';
  }

  toChatCompletion(): ChatCompletion {
    const toolCalls: ChatToolCall[] = [...this.calls.values()].map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: this.text,
            ...(this.reasoning && { reasoning: this.reasoning }),
            ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
          },
          finish_reason: this.finishReason,
        },
      ],
      usage: this.usage,
    };
  }
}
