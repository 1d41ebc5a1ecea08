import { Body, Controller, HttpCode, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { invalidRequest } from '../common/errors/gateway-error';
import { reportDroppedParams } from '../common/http/gateway-headers';
import { observeCall } from '../observability/call-observer';
import { typedEventFrame, UseSseFormat } from '../common/sse/sse-format';
import { SseInterceptor } from '../common/sse/sse.interceptor';
import { BodyValidationPipe } from '../common/validation/body-validation.pipe';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/chat-types';
import { messagesToChat } from './anthropic-request.converter';
import { toAnthropicError } from './anthropic-errors';
import type { AnthropicMessagesRequest } from './anthropic-types';
import { AnthropicMessagesRequestDto } from './dto/messages-request.dto';
import { MessagesInterceptor } from './messages.interceptor';
import { estimateInputTokens } from './token-estimate';

/** The Anthropic SDK's drop-in: `baseURL: http://<gateway>/anthropic`. */
@Controller('anthropic/v1/messages')
@UseSseFormat({
  frame: typedEventFrame,
  errorFrame: (error) => typedEventFrame(toAnthropicError(error)),
})
export class MessagesController {
  constructor(private readonly chat: ChatCompletionsService) {}

  /** Converted to one chat call here; MessagesInterceptor converts the answer back. */
  @Post()
  @HttpCode(200)
  // SseInterceptor outermost: it frames what MessagesInterceptor has converted.
  @UseInterceptors(SseInterceptor, MessagesInterceptor)
  create(
    @Body(new BodyValidationPipe(AnthropicMessagesRequestDto)) body: AnthropicMessagesRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Observable<ChatCompletion | ChatCompletionChunk> {
    const { chat, dropped } = messagesToChat(body);
    const prepared = this.chat.prepare(chat);
    reportDroppedParams(reply, [...dropped, ...prepared.dropped]);
    return this.chat.send(prepared, observeCall(request, reply));
  }

  /** An estimate: Groq counts tokens only when it answers. Marked by `x-gateway-estimate`. */
  @Post('count_tokens')
  @HttpCode(200)
  countTokens(
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): { input_tokens: number } {
    const request = body as Partial<AnthropicMessagesRequest> | null;
    if (!request || typeof request !== 'object' || !Array.isArray(request.messages)) {
      throw invalidRequest('messages: Field required, an array of messages', 'messages');
    }
    reply.header('x-gateway-estimate', 'true');
    return {
      input_tokens: estimateInputTokens({
        system: request.system,
        messages: request.messages,
        tools: request.tools,
      }),
    };
  }
}
