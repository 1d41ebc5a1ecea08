import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect as http2Connect } from 'node:http2';
import { connect } from 'node:net';
import { join } from 'node:path';
import { runGatewayToExit } from './support/gateway-process';
import { Stack, startStack, waitFor } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';

describe('client disconnects cancel the upstream request', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({}, { chunkDelayMs: 50 });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it('a stream abandoned mid-way closes its upstream request, over many aborts', async () => {
    for (let i = 0; i < 20; i++) {
      const controller = new AbortController();
      const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: 'a fairly long answer please' }],
          stream: true,
        }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
    }
    await waitFor(() => stack.emulator.stats.open === 0);
    expect(stack.emulator.stats.aborted).toBe(20);
  });

  it('a JSON call abandoned while waiting closes its upstream request', async () => {
    stack.emulator.queueFaults('hang', 'hang', 'hang');
    const calls = [0, 1, 2].map(async () => {
      const controller = new AbortController();
      const pending = fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
        signal: controller.signal,
      }).catch(() => undefined);
      await waitFor(() => stack.emulator.stats.open >= 1);
      controller.abort();
      await pending;
    });
    await Promise.all(calls);
    await waitFor(() => stack.emulator.stats.open === 0);
    expect(stack.emulator.stats.aborted).toBe(3);
  });

  it('counts and logs each abandoned request as 499 (client closed request)', async () => {
    await waitFor(() => (stack.gateway.output().match(/"statusCode":499/g) ?? []).length >= 23);
    const lines = stack.gateway
      .output()
      .split('\n')
      .filter((line) => line.includes('"statusCode":499'))
      .map((line) => JSON.parse(line) as { msg: string; req: { url: string } });
    expect(lines.every((line) => line.msg === 'client closed request')).toBe(true);
    expect(lines.every((line) => line.req.url === '/v1/chat/completions')).toBe(true);
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    // By model: the streams were served (their model is known), the JSON calls never were.
    const abandoned = metrics
      .split('\n')
      .filter((line) => /^groq_gateway_requests_total\{[^}]*status="499"/.test(line))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    expect(abandoned).toBe(23);
  });

  it('still serves after the aborts', async () => {
    const completion = await stack.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'still there?' }],
    });
    expect(completion.choices[0].message.content).toContain('still there?');
  });
});

/** The admin key exactly as the Kubernetes Secret template would mount it, in a temporary file. */
function adminKeyFileFromTemplate(): string {
  const template = readFileSync(
    join(__dirname, '..', '..', 'deploy', 'kubernetes', 'secrets', 'secrets.template.yaml'),
    'utf8',
  );
  const value = /admin-key: (\S+)/.exec(template)?.[1] as string;
  const path = join(mkdtempSync(join(tmpdir(), 'gateway-admin-')), 'admin-key');
  writeFileSync(path, value);
  return path;
}

describe('start-up configuration', () => {
  it.each([
    [{ GROQ_API_KEY: 'gsk_x', PORT: 'eighty' }, 'PORT'],
    [{ GROQ_API_KEY: 'gsk_x', GROQ_BASE_URL: 'not a url' }, 'GROQ_BASE_URL'],
    [{ GROQ_API_KEY: 'gsk_x', GROQ_BASE_URL: 'https://api.groq.com/openai/v1' }, 'GROQ_BASE_URL'],
    [{ GROQ_API_KEY: 'gsk_x', LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{}, 'GROQ_API_KEY'],
    [{ GROQ_API_KEY_FILE: '/nonexistent/secret' }, 'GROQ_API_KEY_FILE'],
    [{ GROQ_API_KEY: 'gsk_x', GATEWAY_CONFIG: '/nonexistent/gateway.yaml' }, 'GATEWAY_CONFIG'],
    // The Kubernetes template's placeholders (deploy/kubernetes/secrets/) are no secrets.
    [
      { GROQ_API_KEY: 'gsk_x', GATEWAY_ADMIN_KEY: 'REPLACE_WITH_A_LONG_RANDOM_ADMIN_KEY' },
      'GATEWAY_ADMIN_KEY',
    ],
    [
      { GROQ_API_KEY: 'gsk_x', GATEWAY_ADMIN_KEY_FILE: adminKeyFileFromTemplate() },
      'GATEWAY_ADMIN_KEY_FILE',
    ],
    [{ GROQ_API_KEYS: 'gsk_real_key_1,REPLACE_WITH_GROQ_KEY' }, 'GROQ_API_KEYS'],
  ])('%j stops start-up with one line naming %s', async (env, setting) => {
    const { code, stderr, stdout } = await runGatewayToExit(env);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^groq-gateway: invalid configuration: ${setting}: `));
    expect(stderr + stdout).not.toMatch(/\bat .+\.js:\d+/);
    expect(stderr).not.toContain('gsk_x');
  });
});

describe('graceful shutdown on SIGTERM', () => {
  it('turns readiness false at once, serves in-flight and new requests while draining, then exits 0', async () => {
    const stack = await startStack(
      { SHUTDOWN_DRAIN_DELAY_MS: '400', SHUTDOWN_GRACE_MS: '10000' },
      { chunkDelayMs: 40 },
    );
    try {
      expect((await fetch(`${stack.gateway.url}/health/ready`)).status).toBe(200);
      // A stream that takes about a second, and a JSON call whose first byte comes late.
      const streamed = fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          messages: [
            { role: 'user', content: 'a stream that is still going when the signal comes' },
          ],
          stream: true,
        }),
      }).then((response) => response.text());
      const slowJson = stack.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'slow json [fault:slow=700]' }],
      });
      await waitFor(() => stack.emulator.stats.open >= 2);

      const exited = stack.gateway.stop('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const ready = await fetch(`${stack.gateway.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'draining' });
      const live = await fetch(`${stack.gateway.url}/health/live`);
      expect(live.status).toBe(200);

      // Still within the drain delay: a new request is served.
      const during = await stack.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'arrived while draining' }],
      });
      expect(during.choices[0].message.content).toContain('arrived while draining');

      const text = await streamed;
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect((await slowJson).choices[0].message.content).toContain('slow json');
      expect(await exited).toBe(0);
    } finally {
      await stack.emulator.stop();
    }
  });

  it('after the drain delay, a request on an open connection gets a clear 503, never a reset', async () => {
    const stack = await startStack(
      { SHUTDOWN_DRAIN_DELAY_MS: '100', SHUTDOWN_GRACE_MS: '5000' },
      { chunkDelayMs: 60 },
    );
    const agent = new (await import('undici')).Agent({ connections: 1, pipelining: 0 });
    try {
      const dispatcher = { dispatcher: agent } as unknown as RequestInit;
      // Keep one in-flight stream so the process stays up while closing.
      const streamed = fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          messages: [
            { role: 'user', content: 'one two three four five six seven eight nine ten eleven' },
          ],
          stream: true,
        }),
      }).then((response) => response.text());
      await (await fetch(`${stack.gateway.url}/health/live`, dispatcher)).text();
      await waitFor(() => stack.emulator.stats.open >= 1);
      const exited = stack.gateway.stop('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 250));
      const late = await fetch(`${stack.gateway.url}/v1/models`, dispatcher).catch(
        (error: Error) => error,
      );
      if (!('status' in late)) {
        // The keep-alive socket was closed while idle: the client reconnects, and is refused cleanly.
        expect(String((late.cause as { code?: string })?.code)).toMatch(
          /ECONNREFUSED|UND_ERR_SOCKET|ECONNRESET/,
        );
      } else {
        expect(late.status).toBe(503);
        expect(((await late.json()) as { error: { code: string } }).error.code).toBe(
          'shutting_down',
        );
      }
      expect((await streamed).trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(await exited).toBe(0);
    } finally {
      await agent.close();
      await stack.emulator.stop();
    }
  });

  it('a request refused while closing is logged like any answer, and the gateway still exits 0', async () => {
    const stack = await startStack({ SHUTDOWN_DRAIN_DELAY_MS: '100', SHUTDOWN_GRACE_MS: '5000' });
    const { hostname, port } = new URL(stack.gateway.url);
    const socket = connect(Number(port), hostname);
    try {
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      const send = (id: string, content: string) => {
        const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }] });
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n` +
            `x-request-id: ${id}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      };
      // A call in flight on this connection keeps it open (not idle) past the drain delay.
      send('in-flight-at-close', 'a slow answer [fault:slow=800]');
      await waitFor(() => stack.emulator.stats.open >= 1);
      const exited = stack.gateway.stop('SIGTERM');
      await waitFor(() => received.includes('"chat.completion"'), 5000);
      send('refused-while-closing', 'too late');
      await waitFor(() => received.includes('HTTP/1.1 503'), 5000);
      expect(received).toContain('"code":"shutting_down"');
      expect(await exited).toBe(0);
      const line = stack.gateway
        .output()
        .split('\n')
        .find((entry) => entry.includes('"id":"refused-while-closing"'));
      expect(JSON.parse(line ?? '{}')).toMatchObject({
        res: { statusCode: 503 },
        errorCode: 'shutting_down',
      });
    } finally {
      socket.destroy();
      await stack.emulator.stop();
    }
  });

  it('exits 0 when the grace period ends with a request still open', async () => {
    const stack = await startStack({
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      SHUTDOWN_GRACE_MS: '300',
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '60000',
    });
    try {
      stack.emulator.queueFaults('hang');
      const hung = stack.openai.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      await waitFor(() => stack.emulator.stats.open >= 1);
      const started = Date.now();
      expect(await stack.gateway.stop('SIGTERM')).toBe(0);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await hung).toBeInstanceOf(Error);
    } finally {
      await stack.emulator.stop();
    }
  });
});

describe('streams still open when the shutdown grace ends', () => {
  it('each gets one error event saying shutting_down, then ends', async () => {
    const stack = await startStack({ SHUTDOWN_DRAIN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: '500' });
    try {
      const open = (path: string, body: object) =>
        fetch(`${stack.gateway.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((response) => response.text());
      // Each stream sends one chunk and then goes silent upstream: only the shutdown ends it.
      const content = 'never ends [fault:stall=1]';
      const streams = [
        ...Array.from({ length: 4 }, () =>
          open('/v1/chat/completions', {
            model: MODEL,
            messages: [{ role: 'user', content }],
            stream: true,
          }),
        ),
        open('/v1/responses', { model: MODEL, input: content, stream: true }),
      ];
      await waitFor(() => stack.emulator.stats.open >= 5);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await stack.gateway.stop('SIGTERM')).toBe(0);
      const texts = await Promise.all(streams);
      for (const text of texts.slice(0, 4)) {
        const events = text.trim().split('\n\n');
        expect(events.length).toBeGreaterThanOrEqual(2);
        const last = JSON.parse(events[events.length - 1].replace(/^data: /, '')) as {
          error: { code: string; type: string };
        };
        expect(last.error).toMatchObject({ code: 'shutting_down', type: 'api_error' });
        expect(text).not.toContain('[DONE]');
      }
      expect(texts[4]).toMatch(/event: error\ndata: .*"code":"shutting_down"/);
      // Every Responses event carries sequence_number, the gateway's own error event included,
      // numbered right after the stream's last event.
      const events = texts[4]
        .trim()
        .split('\n\n')
        .map((frame) => JSON.parse(frame.split('\ndata: ')[1]) as Record<string, unknown>);
      expect(events.length).toBeGreaterThanOrEqual(3);
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
      expect(events[events.length - 1]).toMatchObject({ type: 'error', code: 'shutting_down' });
    } finally {
      await stack.emulator.stop();
    }
  });
});

describe('requests still waiting for their answer when the shutdown grace ends', () => {
  it("each gets 503 shutting_down in its API's envelope, its upstream cancelled, and is logged and recorded", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gateway-data-'));
    const stack = await startStack({
      SHUTDOWN_DRAIN_DELAY_MS: '300',
      SHUTDOWN_GRACE_MS: '2000',
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '60000',
      DATA_DIR: dataDir,
      MODEL_ALIASES: 'claude-3-5-haiku-latest=groq/llama-3.3-70b-versatile',
    });
    try {
      const post = (path: string, id: string, body: object) =>
        fetch(`${stack.gateway.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': id },
          body: JSON.stringify(body),
        }).then(async (response) => ({ status: response.status, body: await response.text() }));
      const hang = [{ role: 'user', content: 'no answer comes [fault:hang]' }];
      const answers = Promise.all([
        post('/v1/chat/completions', 'hung-json', { model: MODEL, messages: hang }),
        post('/v1/chat/completions', 'hung-stream', { model: MODEL, messages: hang, stream: true }),
        post('/anthropic/v1/messages', 'hung-anthropic', {
          model: 'claude-3-5-haiku-latest',
          max_tokens: 50,
          messages: hang,
        }),
      ]);
      await waitFor(() => stack.emulator.stats.open >= 3);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const started = Date.now();
      expect(await stack.gateway.stop('SIGTERM')).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
      const [json, stream, anthropic] = await answers;
      for (const answer of [json, stream]) {
        expect(answer.status).toBe(503);
        expect(JSON.parse(answer.body)).toMatchObject({
          error: { code: 'shutting_down', type: 'api_error' },
        });
      }
      expect(anthropic.status).toBe(503);
      expect(JSON.parse(anthropic.body)).toMatchObject({
        type: 'error',
        error: { type: expect.any(String), message: expect.stringMatching(/shutting down/) },
      });
      await waitFor(() => stack.emulator.stats.open === 0);
      expect(stack.emulator.stats.aborted).toBe(3);
      const ids = ['hung-json', 'hung-stream', 'hung-anthropic'];
      const lines = stack.gateway
        .output()
        .split('\n')
        .filter((line) => ids.some((id) => line.includes(`"id":"${id}"`)))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toHaveLength(3);
      for (const line of lines)
        expect(line).toMatchObject({ res: { statusCode: 503 }, errorCode: 'shutting_down' });
      const db = new Database(join(dataDir, 'requests.sqlite'), { readonly: true });
      const rows = db
        .prepare(
          'select request_id, status, error_code from request_logs where request_id in (?, ?, ?)',
        )
        .all(...ids);
      db.close();
      expect(rows).toHaveLength(3);
      for (const row of rows)
        expect(row).toMatchObject({ status: 503, error_code: 'shutting_down' });
    } finally {
      await stack.emulator.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('calls over HTTP/2 (h2c) and pipelined HTTP/1.1 when the shutdown grace ends', () => {
  it('each gets 503 shutting_down and its upstream is cancelled', async () => {
    const stack = await startStack({
      SHUTDOWN_DRAIN_DELAY_MS: '300',
      SHUTDOWN_GRACE_MS: '2000',
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '60000',
      H2C_PORT: '0',
    });
    try {
      await waitFor(() => /h2c\) listening on port \d+/.test(stack.gateway.output()));
      const h2cPort = /h2c\) listening on port (\d+)/.exec(stack.gateway.output())?.[1];
      const hang = (stream: boolean) =>
        JSON.stringify({
          model: MODEL,
          stream,
          messages: [{ role: 'user', content: 'no answer comes [fault:hang]' }],
        });
      // Two calls on one HTTP/2 connection: neither is the connection's one response.
      const session = http2Connect(`http://127.0.0.1:${h2cPort}`);
      session.on('error', () => undefined);
      const h2Post = (body: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const stream = session.request({
            ':method': 'POST',
            ':path': '/v1/chat/completions',
            'content-type': 'application/json',
          });
          let status = 0;
          let text = '';
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
          stream.on('end', () => resolve({ status, body: text }));
          stream.on('error', reject);
          stream.end(body);
        });
      const h2Answers = Promise.all([h2Post(hang(false)), h2Post(hang(true))]);
      // Two pipelined requests on one HTTP/1.1 connection: the second's response waits in a queue.
      const socket = connect(Number(new URL(stack.gateway.url).port), '127.0.0.1');
      let pipelined = '';
      socket.on('data', (chunk: Buffer) => (pipelined += chunk.toString()));
      socket.on('error', () => undefined);
      const request = (body: string) =>
        `POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      socket.write(request(hang(false)) + request(hang(false)));
      await waitFor(() => stack.emulator.stats.open >= 4);
      // The client keeps its HTTP/2 session open: shutdown closes it (GOAWAY) after the answers.
      expect(await stack.gateway.stop('SIGTERM')).toBe(0);
      const answers = await h2Answers;
      expect(session.closed || session.destroyed).toBe(true);
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'shutting_down' } });
      }
      const statuses = [...pipelined.matchAll(/HTTP\/1\.1 (\d+) /g)].map((match) => match[1]);
      expect(statuses).toEqual(['503', '503']);
      expect(pipelined.match(/"code":"shutting_down"/g)).toHaveLength(2);
      socket.destroy();
      await waitFor(() => stack.emulator.stats.open === 0);
      expect(stack.emulator.stats.aborted).toBe(4);
    } finally {
      await stack.emulator.stop();
    }
  });
});
