import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { lastValueFrom } from 'rxjs';
import { reportDroppedParams } from '../common/http/gateway-headers';
import { observeCall } from '../observability/call-observer';
import { SseWriter } from '../common/sse/sse-writer';
import { BodyValidationPipe } from '../common/validation/body-validation.pipe';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../providers/chat-types';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto';
import { isPlainChatRequest } from './dto/plain-chat-request';

@Controller()
export class ChatController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly sse: SseWriter,
  ) {}

  /**
   * JSON, or SSE when `stream: true`, written by SseWriter. Called here rather than through
   * SseInterceptor: no conversion sits between, and Nest's interceptor chain (several deferred
   * Observables per request) was about a sixth of this route's CPU in an in-process A/B.
   * It hands Nest a Promise of the answer (the JSON, or the SSE Readable) rather than the
   * Observable: for an Observable Nest builds its own disconnect watch per request (of, switchMap,
   * takeUntil and a close listener on the socket), which SseWriter's untilClientLeaves already is.
   */
  @Post(['v1/chat/completions', 'openai/v1/chat/completions', 'groq/openai/v1/chat/completions'])
  @HttpCode(200)
  create(
    @Body(new BodyValidationPipe(ChatCompletionRequestDto, isPlainChatRequest)) body: ChatRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChatCompletion | ChatCompletionChunk | Readable> {
    const prepared = this.chat.prepare(body);
    reportDroppedParams(reply, prepared.dropped);
    return lastValueFrom(
      this.sse.answer(this.chat.send(prepared, observeCall(request, reply)), request, reply),
    );
  }
}
