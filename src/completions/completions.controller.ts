import {
  Body,
  Controller,
  HttpCode,
  Post,
  Req,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { reportDroppedParams } from '../common/http/gateway-headers';
import { observeCall } from '../observability/call-observer';
import { SseInterceptor } from '../common/sse/sse.interceptor';
import { BodyValidationPipe } from '../common/validation/body-validation.pipe';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import type { ChatCompletion } from '../providers/chat-types';
import { CompletionsFallbackGuard } from './completions-fallback.guard';
import { completionToChat } from './completions.converter';
import { CompletionsInterceptor } from './completions.interceptor';
import type { CompletionRequest } from './completions-types';
import { CompletionRequestDto } from './dto/completion-request.dto';

@Controller()
export class CompletionsController {
  constructor(private readonly chat: ChatCompletionsService) {}

  /** Converted to one chat call here; CompletionsInterceptor converts the answer back. */
  @Post(['v1/completions', 'openai/v1/completions'])
  @HttpCode(200)
  @UseGuards(CompletionsFallbackGuard)
  // SseInterceptor outermost: it frames what CompletionsInterceptor has converted.
  @UseInterceptors(SseInterceptor, CompletionsInterceptor)
  create(
    @Body(new BodyValidationPipe(CompletionRequestDto)) body: CompletionRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Observable<ChatCompletion> {
    const { chat, dropped } = completionToChat(body);
    const prepared = this.chat.prepare(chat);
    reportDroppedParams(reply, [...dropped, ...prepared.dropped]);
    return this.chat.complete(prepared, observeCall(request, reply));
  }
}
