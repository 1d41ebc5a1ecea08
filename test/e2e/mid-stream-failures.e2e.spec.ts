import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { LogRecord } from '../../src/request-logs/log-record';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { adminGet } from './support/request-logs';
import { manyKeys, Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
/** Request logs are read through the admin API, and a gateway with one wants a virtual key. */
const VIRTUAL_KEY = 'vk-mid-stream-secret-000000000000';
/** A key whose calls run a guardrail policy (input only, never matching), so guardrails wrap them. */
const GUARDED_KEY = 'vk-mid-stream-guarded-00000000000';

/** The emulator's faults that end a stream after its 200, and the code each call must end with. */
const FAULTS: Array<[name: string, directive: string, code: string, anthropicType: string]> = [
  ['cut', '[fault:cut=3]', 'upstream_unreachable', 'api_error'],
  ['stream-error', '[fault:stream-error=3]', 'service_unavailable', 'overloaded_error'],
  ['stall', '[fault:stall=3]', 'upstream_timeout', 'api_error'],
];

/** The same faults, struck after the emulator's sixth frame (the stop sequence is in its fifth). */
const AFTER_THE_MATCH: Array<[name: string, directive: string, code: string]> = [
  ['cut', '[fault:cut=6]', 'upstream_unreachable'],
  ['stream-error', '[fault:stream-error=6]', 'service_unavailable'],
  ['stall', '[fault:stall=6]', 'upstream_timeout'],
];

/**
 * A stream that fails after its 200 is said in the stream in each API's own way, and ends the call
 * failed on every family alike: the access line at warn, 'request failed mid-stream', with its
 * errorCode, and the request log record with error_code (chat's behaviour, the reference).
 */
describe('streams that fail after their 200, on the Responses and Anthropic drop-ins', () => {
  let stack: Stack;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let guarded: Anthropic;

  beforeAll(async () => {
    stack = await startStack({
      GROQ_API_KEYS: manyKeys(4),
      RETRY_MAX_ATTEMPTS: '1',
      // A stalled stream is given up on quickly.
      UPSTREAM_IDLE_TIMEOUT_MS: '500',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GATEWAY_CONFIG: writeGatewayConfig(`
governance:
  virtualKeys:
    - { id: mid-stream, keyEnv: VIRTUAL_KEY }
    - { id: guarded, keyEnv: GUARDED_KEY, guardrails: [never-said] }
guardrails:
  policies:
    - { id: never-said, kind: keywords, stage: input, action: block, words: [zebra-never-said] }
`).path,
      VIRTUAL_KEY,
      GUARDED_KEY,
      LOGS_FLUSH_INTERVAL_MS: '20',
    });
    openai = new OpenAI({
      baseURL: `${stack.gateway.url}/v1`,
      apiKey: VIRTUAL_KEY,
      maxRetries: 0,
    });
    anthropic = new Anthropic({
      baseURL: `${stack.gateway.url}/anthropic`,
      apiKey: VIRTUAL_KEY,
      maxRetries: 0,
    });
    guarded = new Anthropic({
      baseURL: `${stack.gateway.url}/anthropic`,
      apiKey: GUARDED_KEY,
      maxRetries: 0,
    });
  });
  afterAll(() => stack.stop());

  describe.each(FAULTS)('%s', (name, fault, code, anthropicType) => {
    it(`Responses (openai SDK, stream: true): an error event, and the call ends with ${code}`, async () => {
      const requestId = `responses-mid-stream-${name}`;
      const stream = await openai.responses.create(
        { model: MODEL, input: `a long answer ${fault}`, stream: true },
        { headers: { 'x-request-id': requestId } },
      );
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const types = events.map((event) => event.type);
      expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
      expect(types).toContain('response.output_text.delta');
      expect(types).not.toContain('response.completed');
      expect(events.at(-1)).toMatchObject({
        type: 'error',
        code,
        sequence_number: events.length - 1,
      });
      await expectFailedMidStream(requestId, code);
    });

    it(`Anthropic (SDK, streaming): an error event the SDK raises, and the call ends with ${code}`, async () => {
      const requestId = `anthropic-mid-stream-${name}`;
      const stream = await anthropic.messages.create(
        {
          model: MODEL,
          max_tokens: 200,
          messages: [{ role: 'user', content: `a long answer ${fault}` }],
          stream: true,
        },
        { headers: { 'x-request-id': requestId } },
      );
      const types: string[] = [];
      const error = await (async () => {
        for await (const event of stream) types.push(event.type);
      })().catch((e: unknown) => e);
      expect(types.slice(0, 3)).toEqual([
        'message_start',
        'content_block_start',
        'content_block_delta',
      ]);
      expect(types).not.toContain('message_stop');
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual({
        type: 'error',
        error: { type: anthropicType, message: expect.any(String) },
      });
      await expectFailedMidStream(requestId, code);
    });
  });

  it('a stream that finishes still ends as completed, with no error code, on both', async () => {
    const responses = await openai.responses.create(
      { model: MODEL, input: 'a short answer', stream: true },
      { headers: { 'x-request-id': 'responses-whole-stream' } },
    );
    let last: OpenAI.Responses.ResponseStreamEvent | undefined;
    for await (const event of responses) last = event;
    expect(last?.type).toBe('response.completed');
    const message = await anthropic.messages
      .stream(
        { model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: 'a short answer' }] },
        { headers: { 'x-request-id': 'anthropic-whole-stream' } },
      )
      .finalMessage();
    expect(message.stop_reason).toBe('end_turn');

    for (const requestId of ['responses-whole-stream', 'anthropic-whole-stream']) {
      expect(await accessLine(requestId)).toMatchObject({
        level: 30,
        res: { statusCode: 200 },
        stream: true,
        msg: 'request completed',
      });
      expect((await accessLine(requestId)).errorCode).toBeUndefined();
      expect(await logRecord(requestId)).toMatchObject({ status: 200, error_code: null });
    }
  });

  /**
   * The gateway applies Anthropic's stop sequences itself (Groq's `stop` cannot say which one
   * matched) and reads on past the match for the usage, so the upstream stream can fail after the
   * client's answer is complete: the message then ends normally and the call is completed, with a
   * guardrail policy around it too. In the emulator's answer 'Hello from the Groq emulator ...',
   * 'Groq' is frame 4 (frame 0 is the role chunk); each fault strikes after frame 5.
   */
  describe.each(AFTER_THE_MATCH)(
    '%s after a stop sequence matched, with a guardrail policy applying',
    (name, fault, code) => {
      it('Anthropic (SDK, streaming): the message ends at the stop sequence, and the call is completed', async () => {
        const requestId = `anthropic-stop-then-${name}`;
        const message = await guarded.messages
          .stream(
            {
              model: MODEL,
              max_tokens: 200,
              stop_sequences: ['NEVER', 'Groq'],
              messages: [{ role: 'user', content: `a short answer ${fault}` }],
            },
            { headers: { 'x-request-id': requestId } },
          )
          .finalMessage();
        expect(message.stop_reason).toBe('stop_sequence');
        expect(message.stop_sequence).toBe('Groq');
        expect(message.content).toEqual([
          expect.objectContaining({ type: 'text', text: 'Hello from the ' }),
        ]);

        const line = await accessLine(requestId);
        expect(line).toMatchObject({
          level: 30,
          res: { statusCode: 200 },
          stream: true,
          guardrails: 'never-said:input=pass',
          msg: 'request completed',
        });
        expect(line.errorCode).toBeUndefined();
        expect(await logRecord(requestId)).toMatchObject({
          request_id: requestId,
          status: 200,
          stream: true,
          error_code: null,
        });
      });

      it(`without a stop sequence, the same failure still ends the call with ${code}`, async () => {
        const requestId = `anthropic-guarded-mid-stream-${name}`;
        const error = await guarded.messages
          .stream(
            {
              model: MODEL,
              max_tokens: 200,
              messages: [{ role: 'user', content: `a short answer ${fault}` }],
            },
            { headers: { 'x-request-id': requestId } },
          )
          .finalMessage()
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Anthropic.APIError);
        await expectFailedMidStream(requestId, code);
      });
    },
  );

  /** The call's access line and request log record both say it failed after its 200, with `code`. */
  async function expectFailedMidStream(requestId: string, code: string): Promise<void> {
    expect(await accessLine(requestId)).toMatchObject({
      level: 40,
      res: { statusCode: 200 },
      stream: true,
      errorCode: code,
      msg: 'request failed mid-stream',
    });
    expect(await logRecord(requestId)).toMatchObject({
      request_id: requestId,
      status: 200,
      stream: true,
      error_code: code,
    });
  }

  /** The access line of a request, once the gateway has written it. */
  async function accessLine(requestId: string): Promise<Record<string, unknown>> {
    const started = Date.now();
    for (;;) {
      const line = stack.gateway
        .output()
        .split('\n')
        .filter((text) => text.startsWith('{') && text.includes('"req":'))
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((entry) => (entry.req as { id?: string }).id === requestId);
      if (line) return line;
      if (Date.now() - started > 3000) throw new Error(`no access line for ${requestId}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The request log record of a request, once the store has it. */
  async function logRecord(requestId: string): Promise<LogRecord> {
    const started = Date.now();
    for (;;) {
      const { status, json } = await adminGet<LogRecord>(
        stack.gateway.url,
        `/admin/logs/${requestId}`,
      );
      if (status === 200) return json;
      if (Date.now() - started > 5000)
        throw new Error(`no request log for ${requestId}: ${status} ${JSON.stringify(json)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
});
