import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { reportDroppedParams } from '../common/http/gateway-headers';
import { observeCall } from '../observability/call-observer';
import { BodyValidationPipe } from '../common/validation/body-validation.pipe';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../providers/chat-types';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto';
import { isPlainChatRequest } from './dto/plain-chat-request';

@Controller()
export class ChatController {
  constructor(private readonly chat: ChatCompletionsService) {}

  /** JSON, or SSE when `stream: true` (written by the global SseInterceptor). */
  @Post(['v1/chat/completions', 'openai/v1/chat/completions', 'groq/openai/v1/chat/completions'])
  @HttpCode(200)
  create(
    @Body(new BodyValidationPipe(ChatCompletionRequestDto, isPlainChatRequest)) body: ChatRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Observable<ChatCompletion | ChatCompletionChunk> {
    const prepared = this.chat.prepare(body);
    reportDroppedParams(reply, prepared.dropped);
    return this.chat.send(prepared, observeCall(request, reply));
  }
}
