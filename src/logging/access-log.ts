import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import pino, { Logger } from 'pino';
import { CallEvents } from '../call/call-events';
import { CLIENT_CLOSED_REQUEST, type EndedCall } from '../call/ended-call';
import type { AllConfig } from '../config/gateway-config';
import { accessStdout } from './stdout';
import { formatUsd } from '../governance/call-cost';

/**
 * The access log: one JSON line per counted request, from the call's `ended` event (no
 * per-request child logger). Its lines are built from a fixed list of fields below (no headers,
 * no body, the path without its query string), so pino's redaction, which would run on every
 * line, has nothing to find.
 */
@Injectable()
export class AccessLog {
  private readonly log: Logger;

  constructor(config: ConfigService<AllConfig, true>, events: CallEvents) {
    this.log = pino(
      { level: config.get('gateway', { infer: true }).logLevel, base: { service: 'groq-gateway' } },
      accessStdout,
    );
    if (this.log.isLevelEnabled('info')) events.onEnded((call) => this.write(call));
  }

  write(call: EndedCall): void {
    const line = {
      // The query string is left out: some clients put a key there (`?api_key=`).
      req: { id: call.requestId, method: call.method, url: call.path },
      res: { statusCode: call.status },
      responseTime: Math.round(call.durationMs),
      ...accessLogFields(call),
    };
    if (call.status >= 500) this.log.error(line, 'request failed');
    else if (call.status === CLIENT_CLOSED_REQUEST) this.log.info(line, 'client closed request');
    else this.log.info(line, 'request completed');
  }
}

/** What one access log line says beyond method, url, status and time. */
export function accessLogFields(call: EndedCall): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    traceId: call.traceId,
    overheadMs: Number(call.overheadMs.toFixed(3)),
  };
  if (call.model) fields.model = call.model;
  if (call.modelRoute) fields.route = call.modelRoute.id;
  if (call.keyId) fields.keyId = call.keyId;
  if (call.clientIdentity) fields.clientIdentity = call.clientIdentity;
  if (call.addressForwarded && call.clientAddress) fields.clientAddress = call.clientAddress;
  if (call.virtualKeyId) fields.virtualKeyId = call.virtualKeyId;
  if (call.attempts) fields.attempts = call.attempts;
  if (call.stream) fields.stream = true;
  if (call.guardrails?.length)
    fields.guardrails = call.guardrails.map((g) => `${g.policy}:${g.stage}=${g.outcome}`).join(',');
  if (call.usage) {
    fields.promptTokens = call.usage.prompt_tokens;
    fields.completionTokens = call.usage.completion_tokens;
  }
  if (call.costUsd !== undefined) fields.costUsd = formatUsd(call.costUsd);
  return fields;
}
