import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import pino from 'pino';
import { CallEvents } from '../call/call-events';
import { CLIENT_CLOSED_REQUEST, type EndedCall } from '../call/ended-call';
import type { AllConfig } from '../config/gateway-config';
import { accessStdout } from './stdout';
import { formatUsd } from '../governance/call-cost';
import { quote } from '../common/json-quote';

/**
 * The access log: one JSON line per counted request, from the call's `ended` event (no
 * per-request child logger). Its lines are built from a fixed list of fields below (no headers,
 * no body, the path without its query string), so pino's redaction, which would run on every
 * line, has nothing to find. The line is exactly the one pino would write (`accessLogLine`, its
 * spec holds it to pino's output) but built directly: pino's generic walk over the fields was
 * about 20 µs of a chat call's CPU when profiled. pino's stream (accessStdout) still writes it.
 */
@Injectable()
export class AccessLog {
  constructor(config: ConfigService<AllConfig, true>, events: CallEvents) {
    const level = config.get('gateway', { infer: true }).logLevel;
    // Error lines (5xx) and warn lines (a stream failed mid-way) are above info: all are written
    // exactly when info is.
    if (pino({ level }, accessStdout).isLevelEnabled('info'))
      events.onEnded((call) => this.write(call));
  }

  write(call: EndedCall): void {
    accessStdout.write(accessLogLine(call, Date.now()));
  }
}

const LEVEL_INFO = '{"level":30,"time":';
const LEVEL_WARN = '{"level":40,"time":';
const LEVEL_ERROR = '{"level":50,"time":';
const SERVICE = ',"service":"groq-gateway"';

/**
 * The access line for one call, as pino writes `log.info(fields, message)` (`log.error` for a
 * 5xx, `log.warn` for a stream that failed after its 200) with `base: { service: 'groq-gateway' }`:
 * level, time, service, the fields in order, msg. The fields are appended directly, in a fixed
 * order: building a fields object and walking it was most of the line's cost. access-log.spec.ts
 * holds the line to pino's for the same fields.
 */
export function accessLogLine(call: EndedCall, time: number): string {
  const status = call.status;
  let level = LEVEL_INFO;
  let message = 'request completed';
  if (status >= 500) {
    level = LEVEL_ERROR;
    message = 'request failed';
  } else if (status === CLIENT_CLOSED_REQUEST) message = 'client closed request';
  else if (status < 400 && call.errorCode !== undefined) {
    // A stream that failed after its 200 (cut, Groq's error event, a stall, shutdown): the status
    // cannot say so, the line does.
    level = LEVEL_WARN;
    message = 'request failed mid-stream';
  }
  // The query string is left out: some clients put a key there (`?api_key=`).
  let line = `${level}${time}${SERVICE},"req":{"id":${quote(call.requestId)},"method":${quote(call.method)},"url":${quote(call.path)}},"res":{"statusCode":${status}},"responseTime":${number(Math.round(call.durationMs))}`;
  line += `,"traceId":${quote(call.traceId)},"overheadMs":${number(Number(call.overheadMs.toFixed(3)))}`;
  if (call.errorCode !== undefined) line += `,"errorCode":${quote(call.errorCode)}`;
  if (call.model) line += `,"model":${quote(call.model)}`;
  if (call.modelRoute) line += `,"route":${quote(call.modelRoute.id)}`;
  if (call.keyId) line += `,"keyId":${quote(call.keyId)}`;
  if (call.clientIdentity) line += `,"clientIdentity":${quote(call.clientIdentity)}`;
  if (call.addressForwarded && call.clientAddress)
    line += `,"clientAddress":${quote(call.clientAddress)}`;
  if (call.virtualKeyId) line += `,"virtualKeyId":${quote(call.virtualKeyId)}`;
  if (call.attempts) line += `,"attempts":${number(call.attempts)}`;
  if (call.stream) line += ',"stream":true';
  if (call.guardrails?.length)
    line += `,"guardrails":${quote(call.guardrails.map((g) => `${g.policy}:${g.stage}=${g.outcome}`).join(','))}`;
  if (call.usage) {
    line += field('promptTokens', call.usage.prompt_tokens);
    line += field('completionTokens', call.usage.completion_tokens);
    if (call.usageEstimated) line += ',"usageEstimated":true';
  }
  if (call.costUsd !== undefined)
    line += `,"costUsd":${quote(call.costUsdText ?? formatUsd(call.costUsd))}`;
  return `${line},"msg":"${message}"}\n`;
}

/** `,"key":value` as pino writes a field: nothing for undefined, a number or JSON otherwise. */
function field(key: string, value: unknown): string {
  if (value === undefined) return '';
  return `,"${key}":${typeof value === 'number' ? number(value) : JSON.stringify(value)}`;
}

/** A number as pino writes it: non-finite ones as null. */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
