import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { defer, from, lastValueFrom, map, mergeMap, Observable, switchMap, timeout } from 'rxjs';
import { rewriteKeptText } from '../common/http/raw-json';
import { request as httpRequest } from 'undici';
import type { GuardrailOutcome } from '../call/ended-call';
import type { GatewayCall } from '../call/gateway-call';
import type { AllConfig, GatewayConfig } from '../config/gateway-config';
import { AuditLog, callerOf } from '../governance/audit-log';
import { MetricsService } from '../metrics/metrics.service';
import {
  counterSeries,
  histogramSeries,
  type CounterSeries,
  type HistogramSeries,
} from '../metrics/series';
import { ChatCompletionsService } from '../providers/chat-completions.service';
import type { GroqChatRequest } from '../providers/groq/groq-chat-parameters';
import { ModerationProgress } from './moderation-progress';
import type { ChatCompletion, ChatCompletionChunk, ChatMessage } from '../providers/chat-types';
import { guardrailRefusal, unknownPolicy } from './guardrail-errors';
import {
  appliesTo,
  type GuardrailsConfig,
  type ModerationPolicy,
  type WebhookPolicy,
} from './guardrails-config';
import { completionTextParts, outputParam } from './output-parts';
import { runStage, type CheckedCall, type PolicyResult, type PolicyRunner } from './policy-runner';
import { policyRunner, type JudgeTransport, type WebhookRequest } from './policy-runners';
import { guardChatStream } from './stream-guard';
import { requestTextParts, type ApiShape } from './text-parts';

export const GUARDRAILS_HEADER = 'x-gateway-guardrails';
export const FLAGGED_HEADER = 'x-gateway-guardrails-flagged';

type Answer = ChatCompletion | ChatCompletionChunk;

/** The policies one call runs, by stage. */
interface CallPlan {
  input: PolicyRunner[];
  output: PolicyRunner[];
}

/**
 * Guardrails around a route's one upstream call: the input stage before it (block, redact in the
 * client's own body, flag), the output stage on the answer (JSON) or on its chunks (streams),
 * headers and the final event saying what ran, metrics and audit lines. With no policy for a call
 * (none configured, none asked for) `around` is the route's own call, unchanged.
 */
@Injectable()
export class GuardrailsService implements OnModuleDestroy {
  private readonly config: GuardrailsConfig;
  private readonly runners = new Map<string, PolicyRunner>();
  private readonly audit: AuditLog | undefined;
  private readonly checks: Counter<'policy' | 'stage' | 'outcome'>;
  private readonly latency: Histogram<'kind'>;
  private readonly moderationLatency: Histogram<'model'>;
  private readonly checkCounters = new Map<string, CounterSeries>();
  private readonly kindLatency = new Map<string, HistogramSeries>();

  constructor(
    configService: ConfigService<AllConfig, true>,
    metrics: MetricsService,
    private readonly chat: ChatCompletionsService,
  ) {
    const gateway: GatewayConfig = configService.get('gateway', { infer: true });
    this.config = gateway.guardrails;
    const transport: JudgeTransport = {
      moderate: (policy, messages, call) => this.moderate(policy, messages, call),
      webhook: (policy, body) => postWebhook(policy, body),
    };
    for (const policy of this.config.policies)
      this.runners.set(policy.id, policyRunner(policy, transport));
    this.audit =
      this.runners.size > 0
        ? new AuditLog(
            gateway.governance.audit.destination,
            gateway.governance.audit.includePrompts,
          )
        : undefined;
    this.checks = new Counter({
      name: 'groq_gateway_guardrail_checks_total',
      help: 'Guardrail policy runs by policy, stage and outcome',
      labelNames: ['policy', 'stage', 'outcome'],
      registers: [metrics.registry],
    });
    this.latency = new Histogram({
      name: 'groq_gateway_guardrail_check_duration_seconds',
      help: 'Time one guardrail policy took on one stage, by policy kind',
      labelNames: ['kind'],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metrics.registry],
    });
    this.moderationLatency = new Histogram({
      name: 'groq_gateway_guardrail_moderation_duration_seconds',
      help: 'Time a moderation policy waited for its safety model, by model',
      labelNames: ['model'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers: [metrics.registry],
    });
  }

  onModuleDestroy(): void {
    this.audit?.flush();
  }

  /** The configured policy ids (for validating virtual keys made through the admin API). */
  get policyIds(): string[] {
    return [...this.runners.keys()];
  }

  /**
   * The route's upstream call with this call's policies around it. `build` converts and prepares
   * the client's body (it throws its 400s before any check runs, and runs again after an input
   * redaction, which edits the body in place); `send` is the route's upstream call.
   */
  around<A = Answer>(
    gatewayCall: GatewayCall,
    shape: ApiShape,
    body: unknown,
    prepared: GroqChatRequest,
    prepare: () => GroqChatRequest,
    send: (prepared: GroqChatRequest, readsAnswer: boolean) => Observable<A>,
  ): Observable<A> {
    const plan = this.planFor(gatewayCall);
    if (!plan) return send(prepared, false);
    const reply = gatewayCall.reply;
    const outcomes: GuardrailOutcome[] = [];
    gatewayCall.guardrails = outcomes;
    return defer(async () => {
      const call = this.checkedCall(gatewayCall, prepared);
      const input = await runStage(plan.input, 'input', requestTextParts(shape, body), call);
      outcomes.push(...input.outcomes);
      setHeaders(reply, outcomes);
      if (input.stop) throw guardrailRefusal(input.stop, this.config.blockedStatus);
      if (input.changed) prepared = prepare();
      return call;
    }).pipe(
      switchMap((call): Observable<A> => {
        // `readsAnswer`: output policies read the answer's content (chunks must be parsed).
        const readsAnswer = plan.output.length > 0;
        const sent = send(prepared, readsAnswer);
        if (!readsAnswer) return sent;
        // Sent for reading, the answer is parsed (an Answer); what the checks pass on is too.
        return this.checkedOutput(
          plan,
          shape,
          prepared,
          call,
          outcomes,
          reply,
          sent as Observable<unknown> as Observable<Answer>,
        ) as Observable<unknown> as Observable<A>;
      }),
    );
  }

  /** The output stage on a JSON answer, or on a stream's chunks as they pass. */
  private checkedOutput(
    plan: CallPlan,
    shape: ApiShape,
    prepared: GroqChatRequest,
    call: CheckedCall,
    outcomes: GuardrailOutcome[],
    reply: GatewayCall['reply'],
    answer: Observable<Answer>,
  ): Observable<Answer> {
    call.schema = schemaOf(prepared);
    if (!prepared.stream)
      return answer.pipe(
        mergeMap((value) =>
          from(this.checkCompletion(plan, shape, value as ChatCompletion, call, outcomes, reply)),
        ),
      );
    // A json_schema policy judges only a whole answer, and a pattern whose matches can hold
    // whitespace with no length limit can be cut anywhere: either holds the stream whole.
    const holdChars = Math.max(
      this.config.streaming.windowChars,
      ...plan.output.map((r) => r.holdChars ?? 0),
    );
    const hasWholeAnswerPolicy =
      plan.output.some((r) => r.policy.kind === 'json_schema') || holdChars === Infinity;
    const mode =
      hasWholeAnswerPolicy && this.config.streaming.mode === 'window'
        ? 'buffer'
        : this.config.streaming.mode;
    return (answer as Observable<ChatCompletionChunk>).pipe(
      guardChatStream({
        mode,
        windowChars: this.config.streaming.windowChars,
        holdChars,
        sentences: plan.output.some((r) => r.judge !== undefined),
        finders: plan.output.flatMap((r) => (r.find ? [r.find.bind(r)] : [])),
        check: (parts, flagOnly) => runStage(plan.output, 'output', parts, call, flagOnly),
        paramOf: (channel, index) => outputParam(shape, channel, index),
        refuse: (stop) => guardrailRefusal(stop, this.config.blockedStatus),
        done: (output) => outcomes.push(...output),
      }),
    );
  }

  private async checkCompletion(
    plan: CallPlan,
    shape: ApiShape,
    completion: ChatCompletion,
    call: CheckedCall,
    outcomes: GuardrailOutcome[],
    reply: FastifyReply,
  ): Promise<ChatCompletion> {
    const output = await runStage(
      plan.output,
      'output',
      completionTextParts(completion, shape),
      call,
    );
    outcomes.push(...output.outcomes);
    setHeaders(reply, outcomes);
    if (output.stop) throw guardrailRefusal(output.stop, this.config.blockedStatus);
    // A redaction edited the parsed answer: forget the upstream text it would otherwise be sent as.
    if (output.changed) rewriteKeptText(completion, () => undefined);
    return completion;
  }

  /**
   * Whether any policy would run on this call (an unknown policy asked for counts: the guarded
   * path refuses it). Native Responses (issue 15) is checked only through the conversion.
   */
  hasPoliciesFor(call: GatewayCall): boolean {
    try {
      return this.planFor(call) !== undefined;
    } catch {
      return true;
    }
  }

  /**
   * Whether a policy may run on this call: false only when none is a default, none is on its
   * virtual key and none is asked for (then `around` is the route's own call).
   */
  mayRunOn(call: GatewayCall): boolean {
    return (
      this.config.defaults.length > 0 ||
      !!call.guardrailsHeader ||
      !!call.virtualKey?.guardrails?.length
    );
  }

  /** Defaults, then the virtual key's, then the caller's `x-gateway-guardrails` (added only). */
  private planFor(call: GatewayCall): CallPlan | undefined {
    if (!this.mayRunOn(call)) return undefined;
    const asked = call.guardrailsHeader;
    const keyPolicies = call.virtualKey?.guardrails;
    const ids = new Set([...this.config.defaults, ...(keyPolicies ?? [])]);
    for (const id of headerIds(asked)) {
      if (!this.runners.has(id)) throw unknownPolicy(id, this.policyIds);
      ids.add(id);
    }
    if (ids.size === 0) return undefined;
    const runners = [...this.runners.values()].filter((r) => ids.has(r.policy.id));
    return {
      input: runners.filter((r) => appliesTo(r.policy, 'input')),
      output: runners.filter((r) => appliesTo(r.policy, 'output')),
    };
  }

  private checkedCall(call: GatewayCall, prepared: GroqChatRequest): CheckedCall {
    return {
      requestId: call.requestId,
      virtualKeyId: call.virtualKeyId,
      prompt: lastUserText(prepared.body.messages as ChatMessage[] | undefined),
      upstreamHeaders: call.upstreamHeaders,
      charge: (model, usage) => (call.guardrailUsage ??= []).push({ model, usage }),
      observe: (result) => this.observe(call, result),
    };
  }

  private observe(call: GatewayCall, result: PolicyResult): void {
    // Each series found once (a few per policy): prom-client's labels() hashes its values on
    // every call, which a stream's windows and every policy of every call would pay.
    const { policy, stage, outcome } = result;
    const key = `${policy.id}\n${stage}\n${outcome}`;
    let counter = this.checkCounters.get(key);
    if (!counter) {
      counter = counterSeries(this.checks, { policy: policy.id, stage, outcome });
      this.checkCounters.set(key, counter);
    }
    counter.inc();
    let histogram = this.kindLatency.get(policy.kind);
    if (!histogram) {
      histogram = histogramSeries(this.latency, { kind: policy.kind });
      this.kindLatency.set(policy.kind, histogram);
    }
    histogram.observe(result.seconds);
    if (result.outcome !== 'blocked' && result.outcome !== 'flagged' && result.outcome !== 'error')
      return;
    this.audit?.write({
      action: 'guardrail',
      actor: call.virtualKeyId ?? null,
      outcome:
        result.outcome === 'blocked'
          ? 'denied'
          : result.outcome === 'flagged'
            ? 'flagged'
            : 'error',
      requestId: call.requestId,
      method: call.method,
      path: call.path,
      ...callerOf(call),
      model: call.modelAsked,
      policy: result.policy.id,
      stage: result.stage,
      category: result.category,
      param: result.param,
      matched: result.matched,
    });
  }

  /** A safety model's answer, through the gateway's own upstream path (keys, retries, metrics). */
  private async moderate(
    policy: ModerationPolicy,
    messages: ChatMessage[],
    call: CheckedCall,
  ): Promise<string> {
    const safeguard = policy.model.includes('safeguard');
    const progress = new ModerationProgress(call.upstreamHeaders);
    const prepared = this.chat.prepare(
      {
        model: policy.model,
        messages,
        ...(safeguard ? { reasoning_effort: 'low' } : { max_tokens: 32, temperature: 0 }),
      },
      progress,
    );
    const started = performance.now();
    try {
      return await lastValueFrom(
        this.chat.complete(prepared, progress).pipe(
          timeout({ first: policy.timeoutMs }),
          map((c) => c.choices[0]?.message.content ?? ''),
        ),
      );
    } finally {
      this.moderationLatency.labels(policy.model).observe((performance.now() - started) / 1000);
      if (progress.usage) call.charge?.(policy.model, progress.usage);
    }
  }
}

/** `x-gateway-guardrails: id=outcome,...` (the most severe outcome per policy) and the flagged list. */
function setHeaders(reply: FastifyReply, outcomes: readonly GuardrailOutcome[]): void {
  if (reply.raw.headersSent) return;
  const byPolicy = new Map<string, GuardrailOutcome['outcome']>();
  for (const o of outcomes) {
    const seen = byPolicy.get(o.policy);
    if (!seen || SEVERITY[o.outcome] > SEVERITY[seen]) byPolicy.set(o.policy, o.outcome);
  }
  if (byPolicy.size === 0) return;
  reply.header(GUARDRAILS_HEADER, [...byPolicy].map(([id, o]) => `${id}=${o}`).join(','));
  const flagged = [...byPolicy].filter(([, o]) => o === 'flagged').map(([id]) => id);
  if (flagged.length > 0) reply.header(FLAGGED_HEADER, flagged.join(','));
}

const SEVERITY: Record<GuardrailOutcome['outcome'], number> = {
  pass: 0,
  error: 1,
  flagged: 2,
  redacted: 3,
  blocked: 4,
};

function headerIds(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
}

/** The schema the request asked the answer to follow, if any. */
function schemaOf(prepared: GroqChatRequest): Record<string, unknown> | undefined {
  const format = prepared.body.response_format as
    { type?: string; json_schema?: { schema?: Record<string, unknown> } } | undefined;
  return format?.type === 'json_schema' ? format.json_schema?.schema : undefined;
}

function lastUserText(messages: ChatMessage[] | undefined): string | undefined {
  const user = messages?.filter((m) => m.role === 'user').pop();
  if (!user) return undefined;
  if (typeof user.content === 'string') return user.content;
  return user.content?.map((p) => p.text ?? '').join(' ');
}

/** The webhook contract: POST the texts, read `{"flagged": bool, ...}`; a non-2xx is a failure. */
async function postWebhook(policy: WebhookPolicy, body: WebhookRequest): Promise<unknown> {
  const response = await httpRequest(policy.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...policy.headers },
    body: JSON.stringify(body),
    headersTimeout: policy.timeoutMs,
    bodyTimeout: policy.timeoutMs,
    signal: AbortSignal.timeout(policy.timeoutMs),
  });
  if (response.statusCode < 200 || response.statusCode >= 300) {
    await response.body.dump();
    throw new Error(`webhook answered ${response.statusCode}`);
  }
  return response.body.json();
}
