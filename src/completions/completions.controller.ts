import { Body, Controller, HttpCode, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { Call } from '../call/call.decorator';
import type { GatewayCall } from '../call/gateway-call';
import { reportDroppedParams } from '../common/http/gateway-headers';
import { SseInterceptor } from '../sse/sse.interceptor';
import { BodyValidationPipe } from '../common/validation/body-validation.pipe';
import { GovernanceAdmission } from '../governance/admission.service';
import { GuardrailsService } from '../guardrails/guardrails.service';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import type { ChatCompletion } from '../providers/chat-types';
import { CompletionsFallbackGuard } from './completions-fallback.guard';
import { completionToChat } from './completions.converter';
import { CompletionsInterceptor } from './completions.interceptor';
import type { CompletionRequest } from './completions-types';
import { CompletionRequestDto } from './dto/completion-request.dto';

@Controller()
export class CompletionsController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly admission: GovernanceAdmission,
    private readonly guardrails: GuardrailsService,
  ) {}

  /** Converted to one chat call here; CompletionsInterceptor converts the answer back. */
  @Post(['v1/completions', 'openai/v1/completions', 'groq/openai/v1/completions'])
  @HttpCode(200)
  @UseGuards(CompletionsFallbackGuard)
  // SseInterceptor outermost: it frames what CompletionsInterceptor has converted.
  @UseInterceptors(SseInterceptor, CompletionsInterceptor)
  create(
    @Body(new BodyValidationPipe(CompletionRequestDto)) body: CompletionRequest,
    @Call() call: GatewayCall,
  ): Observable<ChatCompletion> {
    const prepare = () => {
      const { chat, dropped } = completionToChat(body);
      const prepared = this.chat.prepare(chat, call);
      reportDroppedParams(call.reply, [...dropped, ...prepared.dropped]);
      return prepared;
    };
    const prepared = prepare();
    return this.admission.gate(
      call,
      () =>
        this.guardrails.around(call, 'completions', body, prepared, prepare, (upstream) =>
          this.chat.complete(upstream, call),
        ) as Observable<ChatCompletion>,
    );
  }
}
