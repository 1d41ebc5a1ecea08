import { All, Body, Controller, HttpCode, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { GatewayError } from '../common/errors/gateway-error';
import { reportDroppedParams } from '../common/http/gateway-headers';
import { observeCall } from '../observability/call-observer';
import { typedEventFrame, UseSseFormat } from '../common/sse/sse-format';
import { SseInterceptor } from '../common/sse/sse.interceptor';
import { BodyValidationPipe } from '../common/validation/body-validation.pipe';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/chat-types';
import { ResponsesRequestDto } from './dto/responses-request.dto';
import { responsesToChat } from './responses-request.converter';
import { ResponsesInterceptor } from './responses.interceptor';
import type { ResponsesRequest } from './responses-types';

@Controller()
@UseSseFormat({
  frame: typedEventFrame,
  errorFrame: (error) =>
    typedEventFrame({
      type: 'error',
      code: error.code,
      message: error.message,
      param: error.param,
    }),
})
export class ResponsesController {
  constructor(private readonly chat: ChatCompletionsService) {}

  /** Converted to one chat call here; ResponsesInterceptor converts the answer back. */
  @Post(['v1/responses', 'openai/v1/responses'])
  @HttpCode(200)
  // SseInterceptor outermost: it frames what ResponsesInterceptor has converted.
  @UseInterceptors(SseInterceptor, ResponsesInterceptor)
  create(
    @Body(new BodyValidationPipe(ResponsesRequestDto)) body: ResponsesRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Observable<ChatCompletion | ChatCompletionChunk> {
    const { chat, dropped } = responsesToChat(body);
    const prepared = this.chat.prepare(chat);
    reportDroppedParams(reply, [...dropped, ...prepared.dropped]);
    return this.chat.send(prepared, observeCall(request, reply));
  }

  /** Stored responses do not exist here (see `store`), so they cannot be read, listed or deleted. */
  @All(['v1/responses/*', 'openai/v1/responses/*'])
  stored(): never {
    throw new GatewayError({
      status: 400,
      message:
        'stored responses are not supported by groq provider: responses are not stored, so they cannot be retrieved, cancelled or deleted',
      code: 'unsupported_operation',
    });
  }
}
