import pino from 'pino';
import { Writable } from 'node:stream';
import { CLIENT_CLOSED_REQUEST, type EndedCall } from '../call/ended-call';
import { formatUsd } from '../governance/call-cost';
import { accessLogLine } from './access-log';

/**
 * What an access line says beyond method, url, status and time, as the fields object AccessLog
 * handed pino before it built lines itself: the reference accessLogLine is held to.
 */
function accessLogFields(call: EndedCall): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    traceId: call.traceId,
    overheadMs: Number(call.overheadMs.toFixed(3)),
  };
  if (call.errorCode) fields.errorCode = call.errorCode;
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
    if (call.usageEstimated) fields.usageEstimated = true;
  }
  if (call.costUsd !== undefined) fields.costUsd = call.costUsdText ?? formatUsd(call.costUsd);
  return fields;
}

/** The line pino writes for the same call, as AccessLog wrote it before it built lines itself. */
function pinoLine(call: EndedCall, time: number): string {
  let written = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  const log = pino(
    { level: 'info', base: { service: 'groq-gateway' }, timestamp: () => `,"time":${time}` },
    sink,
  );
  const line = {
    req: { id: call.requestId, method: call.method, url: call.path },
    res: { statusCode: call.status },
    responseTime: Math.round(call.durationMs),
    ...accessLogFields(call),
  };
  if (call.status >= 500) log.error(line, 'request failed');
  else if (call.status === CLIENT_CLOSED_REQUEST) log.info(line, 'client closed request');
  else if (call.status < 400 && call.errorCode) log.warn(line, 'request failed mid-stream');
  else log.info(line, 'request completed');
  return written;
}

const base = {
  requestId: 'req-1',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  method: 'POST',
  path: '/v1/chat/completions',
  httpRoute: '/v1/chat/completions',
  apiFamily: 'chat',
  status: 200,
  startedAtMs: 1_700_000_000_000,
  durationMs: 12.6,
  overheadMs: 1.23456,
  upstreamStarted: true,
  stream: false,
  attempts: 1,
  retries: 0,
  fallbacks: 0,
} as unknown as EndedCall;

const calls: Record<string, EndedCall> = {
  'a plain chat call': base,
  'a full one': {
    ...base,
    model: 'llama-3.3-70b-versatile',
    modelRoute: { id: 'fast', target: 'llama-3.1-8b-instant' },
    keyId: 'primary',
    clientIdentity: 'CN=svc "a"',
    addressForwarded: true,
    clientAddress: '10.0.0.7',
    virtualKeyId: 'vk_1',
    attempts: 2,
    stream: true,
    guardrails: [{ policy: 'pii', stage: 'input', outcome: 'redacted' }],
    usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
    costUsd: 0.0000123,
  } as unknown as EndedCall,
  'usage without token counts': {
    ...base,
    usage: { total_tokens: 3 },
  } as unknown as EndedCall,
  'a 5xx': { ...base, status: 502, errorCode: 'upstream_unreachable' } as EndedCall,
  'a refusal': { ...base, status: 402, errorCode: 'budget_exceeded' } as EndedCall,
  'a stream that failed after its 200': {
    ...base,
    stream: true,
    errorCode: 'upstream_error',
  } as EndedCall,
  'a client that left': { ...base, status: CLIENT_CLOSED_REQUEST },
  'a stream left before its usage': {
    ...base,
    status: CLIENT_CLOSED_REQUEST,
    stream: true,
    usage: { prompt_tokens: 12, completion_tokens: 900, total_tokens: 912 },
    usageEstimated: true,
    costUsd: 0.000718,
  } as unknown as EndedCall,
  'strings that need escaping': {
    ...base,
    requestId: 'a"b\\c',
    path: '/v1/ché\u0001',
    model: 'm\n"x"',
  } as unknown as EndedCall,
  'a non-finite time': { ...base, durationMs: Number.NaN },
};

describe('accessLogLine', () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`writes exactly pino's line for ${name}`, () => {
      const line = accessLogLine(call, 1_764_547_200_123);
      expect(line).toBe(pinoLine(call, 1_764_547_200_123));
      expect(JSON.parse(line)).toEqual(expect.objectContaining({ service: 'groq-gateway' }));
    });
  }

  it('marks a stream that failed after its 200: warn, its error code, and says so', () => {
    const line = JSON.parse(accessLogLine(calls['a stream that failed after its 200'], 1));
    expect(line).toMatchObject({
      level: 40,
      res: { statusCode: 200 },
      errorCode: 'upstream_error',
      msg: 'request failed mid-stream',
    });
  });

  it('names the error code of a refusal, at info', () => {
    const line = JSON.parse(accessLogLine(calls['a refusal'], 1));
    expect(line).toMatchObject({
      level: 30,
      errorCode: 'budget_exceeded',
      msg: 'request completed',
    });
  });
});
