import { All, Body, Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { invalidRequest } from '../common/errors/gateway-error';
import { withPublicModel } from '../providers/groq/groq-native-responses';
import { ResponsesModeService } from './responses-mode.service';
import { GatewayError } from '../common/errors/gateway-error';
import { Call } from '../call/call.decorator';
import type { GatewayCall } from '../call/gateway-call';
import { reportDroppedParams } from '../common/http/gateway-headers';
import { UseSseFormat } from '../sse/sse-format';
import { RESPONSES_SSE } from './responses-sse-format';
import { SseInterceptor } from '../sse/sse.interceptor';
import { BodyValidationPipe } from '../common/validation/body-validation.pipe';
import { GovernanceAdmission } from '../governance/admission.service';
import { GuardrailsService } from '../guardrails/guardrails.service';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  NativeResponsesValue,
} from '../providers/chat-types';
import { ResponsesRequestDto } from './dto/responses-request.dto';
import { responsesToChat } from './responses-request.converter';
import { ResponsesInterceptor } from './responses.interceptor';
import type { ResponsesRequest } from './responses-types';

@Controller()
@UseSseFormat(RESPONSES_SSE)
export class ResponsesController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly admission: GovernanceAdmission,
    private readonly guardrails: GuardrailsService,
    private readonly mode: ResponsesModeService,
  ) {}

  /** Converted to one chat call here; ResponsesInterceptor converts the answer back. */
  @Post(['v1/responses', 'openai/v1/responses', 'groq/openai/v1/responses'])
  @HttpCode(200)
  // SseInterceptor outermost: it frames what ResponsesInterceptor has converted.
  @UseInterceptors(SseInterceptor, ResponsesInterceptor)
  create(
    @Body(new BodyValidationPipe(ResponsesRequestDto)) body: ResponsesRequest,
    @Call() call: GatewayCall,
  ): Observable<ChatCompletion | ChatCompletionChunk | NativeResponsesValue> {
    if (this.mode.isNative(call)) return this.passThrough(body, call);
    if (this.mode.mode === 'native') refuseStateWithGuardrails(body);
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

  /**
   * responses.mode: native: the request goes to Groq's own `/openai/v1/responses` as the client
   * wrote it (but for the model id), and Groq's answer or events come back as they are; routing,
   * retired models, governance, keys, retries and fallbacks as for chat.
   */
  private passThrough(body: ResponsesRequest, call: GatewayCall): Observable<NativeResponsesValue> {
    const prepared = this.chat.prepareNativeResponses(body, call);
    const surface = call.surface;
    return this.admission
      .gate(call, () => this.chat.sendNativeResponses(prepared, call))
      .pipe(map((value) => withPublicModel(value, surface)));
  }

  /**
   * Stored responses cannot be read, listed or deleted here: converted calls store nothing (see
   * `store`), and native mode offers creation only (Groq's stored conversations are reached
   * through previous_response_id).
   */
  @All(['v1/responses/*', 'openai/v1/responses/*', 'groq/openai/v1/responses/*'])
  stored(): never {
    throw new GatewayError({
      status: 400,
      message:
        this.mode.mode === 'native'
          ? 'retrieving, cancelling or deleting stored responses is not supported by groq provider through this gateway: continue a stored conversation with previous_response_id instead'
          : 'stored responses are not supported by groq provider: responses are not stored, so they cannot be retrieved, cancelled or deleted',
      code: 'unsupported_operation',
    });
  }
}

/**
 * In native mode, a call that guardrail policies check is converted to chat, which keeps no
 * state: its stored-state parameters are refused saying why, rather than as in convert mode.
 */
function refuseStateWithGuardrails(body: ResponsesRequest): void {
  const param = body.previous_response_id
    ? 'previous_response_id'
    : body.store === true
      ? 'store'
      : undefined;
  if (!param) return;
  throw invalidRequest(
    `${param} cannot be used on this call: guardrail policies apply to it, and they check Responses calls through the gateway's conversion to chat, which keeps no state (responses.mode: native passes only calls without policies to Groq's own Responses API). Send the earlier turns in input instead, or call without the policies.`,
    param,
  );
}
