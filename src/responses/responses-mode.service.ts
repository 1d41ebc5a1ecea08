import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayCall } from '../call/gateway-call';
import type { AllConfig, ResponsesMode } from '../config/gateway-config';
import { GuardrailsService } from '../guardrails/guardrails.service';

/**
 * Which way one Responses call goes: converted to chat (the default), or passed through to
 * Groq's own `/openai/v1/responses` (`responses.mode: native`). A call with guardrail policies
 * is converted even in native mode: the policies read and check chat's shapes, and a call they
 * should check must not pass them by.
 */
@Injectable()
export class ResponsesModeService {
  readonly mode: ResponsesMode;
  private readonly decided = new WeakMap<GatewayCall, boolean>();

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly guardrails: GuardrailsService,
  ) {
    this.mode = config.get('gateway', { infer: true }).responses.mode;
  }

  /** True when this call goes to Groq's Responses API as it is. Decided once per call. */
  isNative(call: GatewayCall | undefined): boolean {
    if (this.mode !== 'native' || !call) return false;
    let native = this.decided.get(call);
    if (native === undefined) {
      native = !this.guardrails.hasPoliciesFor(call);
      this.decided.set(call, native);
    }
    return native;
  }
}
