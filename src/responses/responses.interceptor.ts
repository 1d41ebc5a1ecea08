import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable, type OperatorFunction } from 'rxjs';
import { callOf } from '../call/call.decorator';
import { onceKnown } from '../common/rx/once-known';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/chat-types';
import { ResponsesModeService } from './responses-mode.service';
import { chatToResponse } from './responses-response.converter';
import { chatChunksToResponsesEvents } from './responses-stream.operator';
import type { ResponsesRequest } from './responses-types';

/**
 * The way back from chat to Responses: a JSON completion becomes a response object, a chunk
 * stream becomes Responses events. Sits inside the SSE interceptor, which writes the events.
 * It reads the call, not the raw request: the validated Responses request the handler put on it
 * and whether it streams, both known by the answer's first notification. Native Responses
 * (responses.mode: native) are Groq's own already and pass untouched.
 */
@Injectable()
export class ResponsesInterceptor implements NestInterceptor {
  constructor(private readonly mode: ResponsesModeService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const call = callOf(context);
    // responses.mode: native: Groq's own Responses answer, passed on as it is.
    if (this.mode.isNative(call)) return next.handle();
    return (next.handle() as Observable<ChatCompletion | ChatCompletionChunk>).pipe(
      onceKnown(() => {
        const request = call.wireRequest as ResponsesRequest;
        return (
          call.stream
            ? chatChunksToResponsesEvents(request)
            : map((completion: ChatCompletion) => chatToResponse(completion, request))
        ) as OperatorFunction<ChatCompletion | ChatCompletionChunk, unknown>;
      }),
    );
  }
}
