import type { FastifyReply } from 'fastify';
import { GatewayCall } from './gateway-call';
import type { TraceContext } from './trace-context';

const TRACE = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), flags: '01' } as TraceContext;

function callOn(path: string): { call: GatewayCall; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const reply = {
    raw: { headersSent: false },
    header(name: string, value: string) {
      headers[name] = value;
      return reply;
    },
  } as unknown as FastifyReply;
  return {
    call: new GatewayCall('req-1', 'POST', path, TRACE, reply, undefined, undefined),
    headers,
  };
}

describe('GatewayCall attempts', () => {
  it('names the key and model of each attempt as it is sent, before any answer', () => {
    const { call, headers } = callOn('/v1/chat/completions');
    call.onAttempt('key-1', 'llama-3.1-8b-instant');
    expect(call).toMatchObject({ keyId: 'key-1', model: 'groq/llama-3.1-8b-instant', attempts: 1 });
    call.onAttempt('key-2', 'llama-3.1-8b-instant');
    expect(call).toMatchObject({ keyId: 'key-2', attempts: 2 });
    // Headers are for the answer: an attempt sets none.
    expect(headers).toEqual({});
  });

  it('takes the served count as final, so attempts are never counted twice', () => {
    const { call, headers } = callOn('/v1/chat/completions');
    call.onAttempt('key-1', 'llama-3.1-8b-instant');
    call.onAttempt('key-2', 'llama-3.1-8b-instant');
    call.onServed({ model: 'groq/llama-3.1-8b-instant', keyId: 'key-2', attempts: 2 });
    expect(call.attempts).toBe(2);
    expect(headers['x-gateway-attempts']).toBe('2');
  });

  it("names the model route's target the attempt went to, and the groq-sdk surface's own ids", () => {
    const { call } = callOn('/groq/openai/v1/chat/completions');
    call.onRoute('fast');
    expect(call.modelRoute).toEqual({ id: 'fast', target: 'none' });
    call.onAttempt('key-1', 'llama-3.1-8b-instant');
    expect(call.modelRoute).toEqual({ id: 'fast', target: 'llama-3.1-8b-instant' });
    expect(call.model).toBe('llama-3.1-8b-instant');
  });
});
