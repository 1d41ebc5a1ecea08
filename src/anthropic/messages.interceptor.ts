import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/chat-types';
import { chatToAnthropicMessage } from './anthropic-response.converter';
import { chatChunksToAnthropicEvents } from './anthropic-stream.operator';
import type { AnthropicMessagesRequest } from './anthropic-types';

/** The way back from chat to the Messages API, for JSON and for streams. */
@Injectable()
export class MessagesInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>()
      .body as AnthropicMessagesRequest;
    const stops = request.stop_sequences ?? [];
    if (request.stream === true) {
      return (next.handle() as Observable<ChatCompletionChunk>).pipe(
        chatChunksToAnthropicEvents(request.model, stops),
      );
    }
    return (next.handle() as Observable<ChatCompletion>).pipe(
      map((completion) => chatToAnthropicMessage(completion, request.model, stops)),
    );
  }
}
