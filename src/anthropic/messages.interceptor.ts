import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable, type OperatorFunction } from 'rxjs';
import { callOf } from '../call/call.decorator';
import { onceKnown } from '../common/rx/once-known';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/chat-types';
import { chatToAnthropicMessage } from './anthropic-response.converter';
import { chatChunksToAnthropicEvents } from './anthropic-stream.operator';
import type { AnthropicMessagesRequest } from './anthropic-types';

/**
 * The way back from chat to the Messages API, for JSON and for streams. It reads the call, not
 * the raw request: the validated Messages request the handler put on it and whether it streams,
 * both known by the answer's first notification.
 */
@Injectable()
export class MessagesInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const call = callOf(context);
    return (next.handle() as Observable<ChatCompletion | ChatCompletionChunk>).pipe(
      onceKnown(() => {
        const request = call.wireRequest as AnthropicMessagesRequest;
        const stops = request?.stop_sequences ?? [];
        return (
          call.stream
            ? chatChunksToAnthropicEvents(request.model, stops)
            : map((completion: ChatCompletion) =>
                chatToAnthropicMessage(completion, request.model, stops),
              )
        ) as OperatorFunction<ChatCompletion | ChatCompletionChunk, unknown>;
      }),
    );
  }
}
