import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/chat-types';
import { chatToResponse } from './responses-response.converter';
import { chatChunksToResponsesEvents } from './responses-stream.operator';
import type { ResponsesRequest } from './responses-types';

/**
 * The way back from chat to Responses: a JSON completion becomes a response object, a chunk
 * stream becomes Responses events. Sits inside the SSE interceptor, which writes the events.
 */
@Injectable()
export class ResponsesInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>().body as ResponsesRequest;
    if (request.stream === true) {
      return (next.handle() as Observable<ChatCompletionChunk>).pipe(
        chatChunksToResponsesEvents(request),
      );
    }
    return (next.handle() as Observable<ChatCompletion>).pipe(
      map((completion) => chatToResponse(completion, request)),
    );
  }
}
