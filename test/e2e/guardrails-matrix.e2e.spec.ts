import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { adminGet } from './support/request-logs';
import { manyKeys, Stack, startStack, waitFor } from './support/stack';

/**
 * Every policy kind with every action it allows, on the input and on the output, on every route
 * (chat, Responses, text completions, Anthropic Messages), JSON and streamed, through the official
 * SDKs. Each call's raw bytes are kept as they came off the wire (the SDKs are given a fetch that
 * copies them), so "the matched text never reaches the client" is checked on the bytes, not on
 * what an SDK chose to show.
 */

const MODEL = 'groq/llama-3.3-70b-versatile';
const KEY = 'gvk-guardrails-matrix-0123456789abcdef';
const UPSTREAM_MODEL = 'llama-3.3-70b-versatile';
const GUARD_MODEL = 'meta-llama/llama-guard-4-12b';
/** Slow chunks, so a block mid-stream happens while the upstream is still sending. */
const SLOW = '[fault:latency=0,20]';
const TAIL =
  'and then a good many more words follow so that the window has to move along well before the answer ends one two three';

type Kind = 'pii' | 'keywords' | 'regex' | 'moderation' | 'json_schema' | 'webhook';
type Action = 'block' | 'redact' | 'flag';
type Stage = 'input' | 'output';
type Route = 'chat' | 'responses' | 'completions' | 'anthropic';

interface KindCase {
  /** What the policy finds (no whitespace, so no window cut can split it). */
  trigger: string;
  /** What must never be in the bytes once the policy blocked or redacted. */
  secret: string;
  /** What a redaction writes. */
  label?: string;
  category: string;
  actions: Action[];
  stages: Stage[];
  yaml: string;
}

const KINDS: Record<Kind, KindCase> = {
  pii: {
    trigger: 'ann.lee@example.com',
    secret: 'ann.lee@',
    label: '[EMAIL]',
    category: 'email',
    actions: ['block', 'redact', 'flag'],
    stages: ['input', 'output'],
    yaml: 'kind: pii, entities: [email]',
  },
  keywords: {
    trigger: 'zebra-42',
    secret: 'zebra',
    label: '[KEYWORD]',
    category: 'keyword',
    actions: ['block', 'redact', 'flag'],
    stages: ['input', 'output'],
    yaml: 'kind: keywords, words: [zebra-42]',
  },
  regex: {
    trigger: 'ORD-123456',
    secret: 'ORD-12',
    label: '[REDACTED]',
    category: 'pattern',
    actions: ['block', 'redact', 'flag'],
    stages: ['input', 'output'],
    yaml: "kind: regex, patterns: ['\\bORD-\\d{6}\\b']",
  },
  moderation: {
    // The emulator answers as Llama Guard 4 does: `unsafe\nS9` for this directive.
    trigger: '[unsafe:S9]',
    secret: 'unsafe:S9',
    category: 'S9',
    actions: ['block', 'flag'],
    stages: ['input', 'output'],
    yaml: `kind: moderation, model: groq/${GUARD_MODEL}, categories: [S1, S9], onError: closed, timeoutMs: 3000`,
  },
  json_schema: {
    // Any plain-text answer is not JSON.
    trigger: 'plain',
    secret: 'Hello from the Groq emulator',
    category: 'invalid_json',
    actions: ['block', 'flag'],
    stages: ['output'],
    yaml: 'kind: json_schema',
  },
  webhook: {
    trigger: 'INJECT-ME',
    secret: 'INJECT-ME',
    label: '[INJECTION]',
    category: 'prompt_injection',
    actions: ['block', 'redact', 'flag'],
    stages: ['input', 'output'],
    yaml: 'kind: webhook, url: WEBHOOK_URL, timeoutMs: 2000, onError: closed',
  },
};

const policyId = (kind: Kind, action: Action, stage: Stage) =>
  `${kind.replace('_', '-')}-${action}-${stage === 'input' ? 'in' : 'out'}`;

function policiesYaml(webhookUrl: string): string {
  const lines: string[] = [];
  for (const [kind, c] of Object.entries(KINDS) as Array<[Kind, KindCase]>)
    for (const action of c.actions)
      for (const stage of c.stages)
        lines.push(
          `    - { id: ${policyId(kind, action, stage)}, stage: ${stage}, action: ${action}, ${c.yaml.replace('WEBHOOK_URL', webhookUrl)} }`,
        );
  return lines.join('\n');
}

/** A webhook detector by the documented contract: flags INJECT-ME and says where it is. */
async function startDetector(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { texts: Array<{ text: string }> };
      const redactions = body.texts.flatMap((t, index) => {
        const start = t.text.indexOf('INJECT-ME');
        return start < 0 ? [] : [{ index, start, end: start + 9, label: 'injection' }];
      });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          redactions.length
            ? { flagged: true, category: 'prompt_injection', redactions }
            : { flagged: false },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/check` };
}

/** What one call looked like to the client: through its SDK, and as bytes. */
interface Seen {
  /** The SDK raised (before or during the answer). */
  error?: { status?: number; code?: string | null; param?: string | null; message: string };
  /** The answer's text as the SDK gave it. */
  text: string;
  status: number;
  headers: Headers;
  /** The response body exactly as it came. */
  raw: string;
  /** A stream's last event's `x_gateway` (the output outcomes). */
  report?: { guardrails: Array<Record<string, unknown>> };
  /** A Responses stream's last event type. */
  lastEvent?: string;
  /** A Responses stream's response.failed error. */
  failed?: { code?: string; message?: string };
}

/** A fetch that hands the SDK its response and keeps a copy of the bytes. */
function recordingFetch(seen: Partial<Seen>, pending: Array<Promise<void>>): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    seen.status = response.status;
    seen.headers = response.headers;
    pending.push(
      response
        .clone()
        .text()
        .then((text) => void (seen.raw = text))
        .catch(() => void (seen.raw = seen.raw ?? '')),
    );
    return response;
  };
}

function errorOf(error: unknown): Seen['error'] {
  if (error instanceof OpenAI.APIError)
    return { status: error.status, code: error.code, param: error.param, message: error.message };
  if (error instanceof Anthropic.APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    return {
      status: error.status,
      code: body?.error?.type,
      message: body?.error?.message ?? error.message,
    };
  }
  throw error;
}

describe('Guardrails: every kind and action, input and output, on every route, JSON and streamed', () => {
  let stack: Stack;
  let detector: Awaited<ReturnType<typeof startDetector>>;

  beforeAll(async () => {
    detector = await startDetector();
    const { path } = writeGatewayConfig(`
governance:
  virtualKeys:
    - { id: matrix, keyEnv: MATRIX_KEY }
guardrails:
  policies:
${policiesYaml(detector.url)}
  streaming: { mode: window, windowChars: 24 }
`);
    stack = await startStack({
      GATEWAY_CONFIG: path,
      GROQ_API_KEYS: manyKeys(3),
      COMPLETIONS_CONVERT_ALWAYS: 'true',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      MATRIX_KEY: KEY,
      LOGS_FLUSH_INTERVAL_MS: '20',
    });
  });
  afterAll(async () => {
    await stack?.stop();
    detector?.server.close();
  });
  beforeEach(() => stack.emulator.reset());

  const sentToModel = () =>
    stack.emulator.chatRequests().filter((r) => r.body?.model === UPSTREAM_MODEL);

  /** One call on one route through its SDK; never throws for the gateway's answer. */
  async function call(
    route: Route,
    stream: boolean,
    content: string,
    policy: string,
    requestId?: string,
  ): Promise<Seen> {
    const seen: Partial<Seen> = { text: '' };
    const pending: Array<Promise<void>> = [];
    const headers = {
      'x-gateway-guardrails': policy,
      ...(requestId && { 'x-request-id': requestId }),
    };
    const fetch = recordingFetch(seen, pending);
    const openai = new OpenAI({
      baseURL: `${stack.gateway.url}/v1`,
      apiKey: KEY,
      maxRetries: 0,
      fetch,
      defaultHeaders: headers,
    });
    const anthropic = new Anthropic({
      baseURL: `${stack.gateway.url}/anthropic`,
      apiKey: KEY,
      maxRetries: 0,
      fetch,
      defaultHeaders: headers,
    });
    try {
      if (route === 'chat' && !stream) {
        const answer = await openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content }],
        });
        seen.text = answer.choices[0].message.content ?? '';
      } else if (route === 'chat') {
        const chunks = await openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content }],
          stream: true,
        });
        for await (const chunk of chunks) {
          seen.text += chunk.choices[0]?.delta.content ?? '';
          seen.report = (chunk as { x_gateway?: Seen['report'] }).x_gateway ?? seen.report;
        }
      } else if (route === 'responses' && !stream) {
        seen.text = (await openai.responses.create({ model: MODEL, input: content })).output_text;
      } else if (route === 'responses') {
        const events = await openai.responses.create({
          model: MODEL,
          input: content,
          stream: true,
        });
        for await (const event of events) {
          seen.lastEvent = event.type;
          if (event.type === 'response.output_text.delta') seen.text += event.delta;
          if (event.type === 'response.failed')
            seen.failed = (event.response as { error?: Seen['failed'] }).error ?? undefined;
          if (event.type === 'response.completed')
            seen.report = (event as { x_gateway?: Seen['report'] }).x_gateway;
        }
      } else if (route === 'completions') {
        const answer = await openai.completions.create({ model: MODEL, prompt: content });
        seen.text = answer.choices[0].text;
      } else if (!stream) {
        const message = await anthropic.messages.create({
          model: MODEL,
          max_tokens: 200,
          messages: [{ role: 'user', content }],
        });
        seen.text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      } else {
        const events = await anthropic.messages.create({
          model: MODEL,
          max_tokens: 200,
          messages: [{ role: 'user', content }],
          stream: true,
        });
        for await (const event of events) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
            seen.text += event.delta.text;
          if (event.type === 'message_delta')
            seen.report = (event as { x_gateway?: Seen['report'] }).x_gateway;
        }
      }
    } catch (error) {
      seen.error = errorOf(error);
    }
    await Promise.all(pending);
    return seen as Seen;
  }

  const ROUTES: Array<[Route, boolean]> = [
    ['chat', false],
    ['chat', true],
    ['responses', false],
    ['responses', true],
    ['completions', false],
    ['anthropic', false],
    ['anthropic', true],
  ];
  const INPUT_PARAM: Record<Route, string> = {
    chat: 'messages[0].content',
    responses: 'input',
    completions: 'prompt',
    anthropic: 'messages[0].content',
  };
  const OUTPUT_PARAM: Record<Route, string> = {
    chat: 'choices[0].message.content',
    responses: 'output_text',
    completions: 'choices[0].text',
    anthropic: 'content',
  };

  const cases: Array<[string, Kind, Action, Stage, Route, boolean]> = [];
  for (const [kind, c] of Object.entries(KINDS) as Array<[Kind, KindCase]>)
    for (const stage of c.stages)
      for (const action of c.actions)
        for (const [route, stream] of ROUTES)
          cases.push([
            `${kind} ${action} on ${stage}, ${route} ${stream ? 'stream' : 'JSON'}`,
            kind,
            action,
            stage,
            route,
            stream,
          ]);

  it.each(cases)('%s', async (_name, kind, action, stage, route, stream) => {
    const c = KINDS[kind];
    const id = policyId(kind, action, stage);
    // Output blocks in streams: the trigger early and a slow tail, so the block comes mid-stream.
    const midStream = stream && stage === 'output' && action === 'block' && kind !== 'json_schema';
    const content = midStream
      ? `${SLOW} please ${c.trigger} ${TAIL}`
      : `please ${c.trigger} thanks`;
    const seen = await call(route, stream, content, id);
    const anthropicRoute = route === 'anthropic';

    if (stage === 'input') {
      if (action === 'block') {
        expect(seen.error).toBeDefined();
        expect(seen.error?.status).toBe(400);
        if (anthropicRoute) expect(seen.error?.code).toBe('invalid_request_error');
        else {
          expect(seen.error?.code).toBe('guardrail_blocked');
          expect(seen.error?.param).toBe(INPUT_PARAM[route]);
        }
        expect(seen.error?.message).toContain(`'${id}' (category: ${c.category})`);
        expect(seen.error?.message).toContain(INPUT_PARAM[route]);
        expect(seen.raw).not.toContain(c.secret);
        // Nothing reached the model; a stream never opened.
        expect(sentToModel()).toHaveLength(0);
        expect(seen.headers.get('content-type')).toContain('application/json');
        return;
      }
      expect(seen.error).toBeUndefined();
      const sent = JSON.stringify(sentToModel()[0]?.body);
      if (action === 'redact') {
        expect(sent).toContain(c.label);
        expect(sent).not.toContain(c.secret);
        expect(seen.raw).not.toContain(c.secret);
        expect(seen.headers.get('x-gateway-guardrails')).toBe(`${id}=redacted`);
      } else {
        expect(sent).toContain(c.trigger);
        expect(seen.headers.get('x-gateway-guardrails')).toBe(`${id}=flagged`);
        expect(seen.headers.get('x-gateway-guardrails-flagged')).toBe(id);
      }
      return;
    }

    // Output.
    if (action === 'block') {
      expect(seen.raw).not.toContain(c.secret);
      expect(seen.text).not.toContain(c.secret);
      if (!stream) {
        expect(seen.error?.status).toBe(400);
        if (anthropicRoute) expect(seen.error?.code).toBe('invalid_request_error');
        else {
          expect(seen.error?.code).toBe('guardrail_blocked');
          expect(seen.error?.param).toBe(OUTPUT_PARAM[route]);
        }
        expect(seen.error?.message).toContain(`'${id}' (category: ${c.category})`);
        return;
      }
      // The stream opened (200) and ends with the route's own in-band error.
      expect(seen.status).toBe(200);
      if (route === 'chat') {
        expect(seen.error?.message).toContain(`'${id}'`);
        expect(seen.raw).toContain('"code":"guardrail_blocked"');
        expect(seen.raw).toContain(`"param":"${OUTPUT_PARAM.chat}"`);
        expect(seen.raw).not.toContain('[DONE]');
      } else if (route === 'responses') {
        expect(seen.lastEvent).toBe('response.failed');
        expect(seen.failed?.code).toBe('guardrail_blocked');
        expect(seen.failed?.message).toContain(`'${id}' (category: ${c.category})`);
        expect(seen.raw).not.toContain('response.completed');
      } else {
        expect(seen.raw).toContain('event: error');
        expect(seen.error?.message).toContain(`'${id}' (category: ${c.category})`);
        expect(seen.raw).not.toContain('message_stop');
      }
      // The upstream call was cancelled (the block came while it was still sending).
      if (midStream) await waitFor(() => stack.emulator.stats.aborted >= 1);
      return;
    }
    expect(seen.error).toBeUndefined();
    if (action === 'redact') {
      expect(seen.text).toContain(c.label);
      expect(seen.text).not.toContain(c.secret);
      expect(seen.raw).not.toContain(c.secret);
    } else {
      expect(seen.text).toContain(kind === 'json_schema' ? 'Hello from' : c.trigger);
    }
    const outcome = action === 'redact' ? 'redacted' : 'flagged';
    if (stream) {
      // A stream's headers left before its output was checked: the outcome is on its last event.
      expect(seen.report?.guardrails).toEqual([
        { policy: id, stage: 'output', outcome, category: c.category },
      ]);
    } else {
      expect(seen.headers.get('x-gateway-guardrails')).toBe(`${id}=${outcome}`);
      if (action === 'flag') expect(seen.headers.get('x-gateway-guardrails-flagged')).toBe(id);
    }
  });

  it("a stream's output block lands on the access line, the request log and the metrics", async () => {
    const id = policyId('keywords', 'block', 'output');
    const seen = await call('chat', true, `${SLOW} please zebra-42 ${TAIL}`, id, 'matrix-blocked');
    expect(seen.raw).toContain('"code":"guardrail_blocked"');
    const accessLine = () =>
      stack.gateway
        .output()
        .split('\n')
        .find((l) => l.includes('"matrix-blocked"') && l.includes('"msg":"request'));
    await waitFor(() => accessLine() !== undefined);
    // A stream ended by a block after its 200: the line says so (warn, errorCode), not "completed".
    expect(JSON.parse(accessLine() ?? '{}')).toMatchObject({
      level: 40,
      res: { statusCode: 200 },
      errorCode: 'guardrail_blocked',
      guardrails: `${id}:output=blocked`,
      msg: 'request failed mid-stream',
    });
    // The request log is written from the call's `ended` event.
    let record: Record<string, unknown> | undefined;
    await waitFor(() => {
      void adminGet(stack.gateway.url, '/admin/logs/matrix-blocked').then(({ status, json }) => {
        if (status === 200) record = json;
      });
      return record !== undefined;
    }, 10_000);
    expect(record).toMatchObject({
      status: 200,
      stream: true,
      error_code: 'guardrail_blocked',
      guardrails: [{ policy: id, stage: 'output', outcome: 'blocked', category: 'keyword' }],
    });
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `groq_gateway_guardrail_checks_total\\{policy="${id}",stage="output",outcome="blocked"\\} [1-9]`,
      ),
    );
    expect(metrics).toMatch(
      /groq_gateway_guardrail_check_duration_seconds_count\{kind="keywords"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /groq_gateway_guardrail_moderation_duration_seconds_count\{model="groq\/meta-llama\/llama-guard-4-12b"\} [1-9]/,
    );
  });
});

describe('Guardrails: buffer and none stream modes, blockedStatus 446, AUDIT_INCLUDE_PROMPTS', () => {
  const POLICIES = `
    - { id: pii-out, kind: pii, stage: output, action: redact, entities: [email] }
    - { id: leak-guard, kind: keywords, stage: output, action: block, words: [zebra-42] }
    - { id: no-codenames, kind: keywords, stage: input, action: block, words: [project-x] }`;
  let buffer: Stack;
  let none: Stack;

  beforeAll(async () => {
    const bufferConfig = writeGatewayConfig(`
guardrails:
  policies:${POLICIES}
  streaming: { mode: buffer }
  blockedStatus: 446
`);
    const noneConfig = writeGatewayConfig(`
guardrails:
  policies:${POLICIES}
  streaming: { mode: none }
`);
    [buffer, none] = await Promise.all([
      startStack({ GATEWAY_CONFIG: bufferConfig.path, AUDIT_INCLUDE_PROMPTS: 'true' }),
      startStack({ GATEWAY_CONFIG: noneConfig.path }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([buffer?.stop(), none?.stop()]);
  });

  const raw = async (stack: Stack, path: string, body: object, policy: string) => {
    const response = await fetch(`${stack.gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-guardrails': policy },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const contentChunks = (sse: string) =>
    sse
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => JSON.parse(l.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> })
      .map((c) => c.choices?.[0]?.delta?.content ?? '')
      .filter(Boolean);

  it('buffer: the whole answer is held, checked once and sent as one redacted chunk', async () => {
    const { status, text } = await raw(
      buffer,
      '/v1/chat/completions',
      {
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: `please write to ann.lee@example.com ${TAIL}` }],
      },
      'pii-out',
    );
    expect(status).toBe(200);
    expect(text).not.toContain('ann.lee');
    const chunks = contentChunks(text);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toContain('please write to [EMAIL] and then');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('blockedStatus 446: a withheld answer is 446 on the OpenAI and Anthropic routes; an input block stays 400', async () => {
    const openai = new OpenAI({
      baseURL: `${buffer.gateway.url}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
    });
    const headers = { 'x-gateway-guardrails': 'leak-guard' };
    const withheld = await openai.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'say zebra-42' }] }, { headers })
      .catch((e: unknown) => e);
    expect(withheld).toBeInstanceOf(OpenAI.APIError);
    expect((withheld as InstanceType<typeof OpenAI.APIError>).status).toBe(446);
    expect((withheld as InstanceType<typeof OpenAI.APIError>).code).toBe('guardrail_blocked');
    const anthropic = new Anthropic({
      baseURL: `${buffer.gateway.url}/anthropic`,
      apiKey: 'unused',
      maxRetries: 0,
    });
    const message = await anthropic.messages
      .create(
        { model: MODEL, max_tokens: 50, messages: [{ role: 'user', content: 'zebra-42' }] },
        { headers },
      )
      .catch((e: unknown) => e);
    expect(message).toBeInstanceOf(Anthropic.APIError);
    expect((message as InstanceType<typeof Anthropic.APIError>).status).toBe(446);
    const input = await raw(
      buffer,
      '/v1/chat/completions',
      { model: MODEL, messages: [{ role: 'user', content: 'project-x' }] },
      'no-codenames',
    );
    expect(input.status).toBe(400);
  });

  it('AUDIT_INCLUDE_PROMPTS=true: the audit line of a block carries the matched text', async () => {
    await raw(
      buffer,
      '/v1/chat/completions',
      { model: MODEL, messages: [{ role: 'user', content: 'about project-x' }] },
      'no-codenames',
    );
    const audit = () =>
      buffer.gateway
        .output()
        .split('\n')
        .find((l) => l.includes('"action":"guardrail"') && l.includes('"policy":"no-codenames"'));
    await waitFor(() => audit() !== undefined);
    expect(JSON.parse(audit() ?? '{}')).toMatchObject({
      outcome: 'denied',
      stage: 'input',
      category: 'keyword',
      matched: ['project-x'],
    });
  });

  it('none: the stream goes out as it comes and a block policy can only flag, on the last chunk', async () => {
    const { status, text } = await raw(
      none,
      '/v1/chat/completions',
      { model: MODEL, stream: true, messages: [{ role: 'user', content: 'say zebra-42 now' }] },
      'leak-guard',
    );
    expect(status).toBe(200);
    expect(contentChunks(text).join('')).toContain('say zebra-42 now');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const chunks = text.split('\n').filter((l) => l.startsWith('data: {'));
    expect(JSON.parse(chunks[chunks.length - 1].slice(6))).toMatchObject({
      x_gateway: {
        guardrails: [
          { policy: 'leak-guard', stage: 'output', outcome: 'flagged', category: 'keyword' },
        ],
      },
    });
  });
});
