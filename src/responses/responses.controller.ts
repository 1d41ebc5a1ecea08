import { All, Body, Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { GatewayError } from '../common/errors/gateway-error';
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
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly admission: GovernanceAdmission,
    private readonly guardrails: GuardrailsService,
  ) {}

  /** Converted to one chat call here; ResponsesInterceptor converts the answer back. */
  @Post(['v1/responses', 'openai/v1/responses'])
  @HttpCode(200)
  // SseInterceptor outermost: it frames what ResponsesInterceptor has converted.
  @UseInterceptors(SseInterceptor, ResponsesInterceptor)
  create(
    @Body(new BodyValidationPipe(ResponsesRequestDto)) body: ResponsesRequest,
    @Call() call: GatewayCall,
  ): Observable<ChatCompletion | ChatCompletionChunk> {
    // For the interceptor that converts the answer back.
    call.wireRequest = body;
    const prepare = () => {
      const { chat, dropped } = responsesToChat(body);
      const prepared = this.chat.prepare(chat, call);
      reportDroppedParams(call.reply, [...dropped, ...prepared.dropped]);
      return prepared;
    };
    const prepared = prepare();
    return this.admission.gate(call, () =>
      this.guardrails.around(call, 'responses', body, prepared, prepare, (upstream) =>
        this.chat.send(upstream, call),
      ),
    );
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
