import { Body, Controller, HttpCode, Post, Res, UseFilters, UseInterceptors } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import { Call } from '../call/call.decorator';
import type { GatewayCall } from '../call/gateway-call';
import { reportDroppedParams } from '../common/http/gateway-headers';
import { typedEventFrame, UseSseFormat } from '../sse/sse-format';
import { SseInterceptor } from '../sse/sse.interceptor';
import { BodyValidationPipe } from '../common/validation/body-validation.pipe';
import { GovernanceAdmission } from '../governance/admission.service';
import { GuardrailsService } from '../guardrails/guardrails.service';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/chat-types';
import { messagesToChat } from './anthropic-request.converter';
import { toAnthropicError } from './anthropic-errors';
import { AnthropicExceptionFilter } from './anthropic-exception.filter';
import type { AnthropicMessagesRequest } from './anthropic-types';
import { AnthropicMessagesRequestDto, AnthropicPromptDto } from './dto/messages-request.dto';
import { MessagesInterceptor } from './messages.interceptor';
import { estimateTokens } from '../providers/token-estimate';

/** The Anthropic SDK's drop-in: `baseURL: http://<gateway>/anthropic`. */
@Controller('anthropic/v1/messages')
@UseFilters(AnthropicExceptionFilter)
@UseSseFormat({
  frame: typedEventFrame,
  errorFrame: (error) => typedEventFrame(toAnthropicError(error)),
})
export class MessagesController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly admission: GovernanceAdmission,
    private readonly guardrails: GuardrailsService,
  ) {}

  /** Converted to one chat call here; MessagesInterceptor converts the answer back. */
  @Post()
  @HttpCode(200)
  // SseInterceptor outermost: it frames what MessagesInterceptor has converted.
  @UseInterceptors(SseInterceptor, MessagesInterceptor)
  create(
    @Body(new BodyValidationPipe(AnthropicMessagesRequestDto)) body: AnthropicMessagesRequest,
    @Call() call: GatewayCall,
  ): Observable<ChatCompletion | ChatCompletionChunk> {
    // For the interceptor that converts the answer back.
    call.wireRequest = body;
    const prepare = () => {
      const { chat, dropped } = messagesToChat(body);
      const prepared = this.chat.prepare(chat, call);
      reportDroppedParams(call.reply, [...dropped, ...prepared.dropped]);
      return prepared;
    };
    const prepared = prepare();
    return this.admission.gate(call, () =>
      this.guardrails.around(call, 'anthropic', body, prepared, prepare, (upstream) =>
        this.chat.send(upstream, call),
      ),
    );
  }

  /** An estimate: Groq counts tokens only when it answers. Marked by `x-gateway-estimate`. */
  @Post('count_tokens')
  @HttpCode(200)
  countTokens(
    @Body(new BodyValidationPipe(AnthropicPromptDto)) request: AnthropicPromptDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): { input_tokens: number } {
    reply.header('x-gateway-estimate', 'true');
    return {
      input_tokens: Math.max(
        1,
        estimateTokens([request.system ?? '', request.messages, request.tools ?? []]),
      ),
    };
  }
}
