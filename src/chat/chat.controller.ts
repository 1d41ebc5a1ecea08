import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { EmptyError, lastValueFrom } from 'rxjs';
import { Call } from '../call/call.decorator';
import type { GatewayCall } from '../call/gateway-call';
import { reportDroppedParams } from '../common/http/gateway-headers';
import { BodyValidationPipe } from '../common/validation/body-validation.pipe';
import { GovernanceAdmission } from '../governance/admission.service';
import { GuardrailsService } from '../guardrails/guardrails.service';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../providers/chat-types';
import type { ForwardedChunk } from '../providers/upstream/forwarded-chunk';
import { UpstreamCancel } from '../providers/upstream/upstream-cancel';
import { SseWriter } from '../sse/sse-writer';
import { ChatCompletionRequestDto } from './dto/chat-completion-request.dto';
import { isPlainChatRequest } from './dto/plain-chat-request';

@Controller()
export class ChatController {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly admission: GovernanceAdmission,
    private readonly sse: SseWriter,
    private readonly guardrails: GuardrailsService,
  ) {}

  /**
   * JSON, or SSE when `stream: true`, written by SseWriter. Called here rather than through
   * SseInterceptor: no conversion sits between, and Nest's interceptor chain (several deferred
   * Observables per request) was about a sixth of this route's CPU in an in-process A/B.
   * It hands Nest a Promise of the answer (the JSON, or the SSE Readable) rather than the
   * Observable: for an Observable Nest builds its own disconnect watch per request (of, switchMap,
   * takeUntil and a close listener on the socket), which SseWriter already has. The common JSON
   * call builds no Observable at all.
   */
  @Post(['v1/chat/completions', 'openai/v1/chat/completions', 'groq/openai/v1/chat/completions'])
  @HttpCode(200)
  create(
    @Body(new BodyValidationPipe(ChatCompletionRequestDto, isPlainChatRequest)) body: ChatRequest,
    @Call() call: GatewayCall,
  ): Promise<ChatCompletion | ChatCompletionChunk | ForwardedChunk | Readable> {
    const prepare = () => {
      const prepared = this.chat.prepare(body, call);
      reportDroppedParams(call.reply, prepared.dropped);
      return prepared;
    };
    const prepared = prepare();
    // JSON with no policy and no deadline: admission, then one Promise (ChatCompletionsService
    // .completeOnce); streams, policies and deadlines take the Observable path below.
    if (!prepared.stream && call.deadlineAt === undefined && !this.guardrails.mayRunOn(call)) {
      const cancel = new UpstreamCancel();
      const send = () => this.chat.completeOnce(prepared, call, cancel);
      return this.sse.answerJson(
        call,
        () => cancel.abort(),
        call.virtualKey
          ? this.admission.admit(call).then(() => (cancel.aborted ? notSent() : send()))
          : send(),
      );
    }
    return lastValueFrom(
      this.sse.answer(
        this.admission.gate(call, () =>
          this.guardrails.around(call, 'chat', body, prepared, prepare, (upstream, readsAnswer) =>
            readsAnswer ? this.chat.send(upstream, call) : this.chat.sendForwarding(upstream, call),
          ),
        ),
        call,
      ),
    );
  }
}

/** A call whose client left during admission: never sent (as the Observable path's switchMap). */
function notSent(): Promise<never> {
  return Promise.reject(new EmptyError());
}
