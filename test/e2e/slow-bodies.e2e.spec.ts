import { connect, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Stack, startStack, waitFor } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';

interface SlowBody {
  socket: Socket;
  /** Resolves when the gateway closes the socket: what it answered, and when. */
  closed: Promise<{ status: number; code?: string; atMs: number }>;
}

/** Sends a request's headers and the start of its body, then nothing more. */
function startSlowBody(url: string, path = '/v1/chat/completions'): Promise<SlowBody> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":"${MODEL}",`,
      );
      resolve({ socket, closed });
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<{ status: number; code?: string; atMs: number }>((done) => {
      socket.on('close', () => {
        const [head, ...rest] = received.split('\r\n\r\n');
        const body = rest.join('\r\n\r\n');
        done({
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
          code: body ? (JSON.parse(body) as { error: { code: string } }).error.code : undefined,
          atMs: performance.now() - started,
        });
      });
    });
    socket.on('error', reject);
  });
}

describe('request bodies that never finish', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ REQUEST_BODY_TIMEOUT_MS: '1500', MAX_UNFINISHED_BODIES: '40' });
  });
  afterAll(() => stack.stop());

  it('get 408 request_timeout in the envelope, and the socket closed, soon after REQUEST_BODY_TIMEOUT_MS', async () => {
    const slow = await startSlowBody(stack.gateway.url);
    const answer = await slow.closed;
    expect(answer.status).toBe(408);
    expect(answer.code).toBe('request_timeout');
    expect(answer.atMs).toBeGreaterThanOrEqual(1400);
    expect(answer.atMs).toBeLessThan(1500 + 1000);
    expect(stack.emulator.chatRequests()).toHaveLength(0);
  });

  it('a flood of them (five times the cap) leaves probes and real calls working, and each is answered', async () => {
    const flood = await Promise.all(
      Array.from({ length: 200 }, () => startSlowBody(stack.gateway.url)),
    );
    // Newer bodies pushed the oldest out: at most the cap is ever held open.
    await waitFor(() => flood.filter((s) => s.socket.closed).length >= 160);
    const probe = performance.now();
    expect((await fetch(`${stack.gateway.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${stack.gateway.url}/health/ready`)).status).toBe(200);
    expect(performance.now() - probe).toBeLessThan(500);
    const real = await stack.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'served during a slow-body flood' }],
    });
    expect(real.choices[0].message.content).toContain('served during a slow-body flood');
    const answers = await Promise.all(flood.map((s) => s.closed));
    expect(answers.every((a) => a.status === 408 && a.code === 'request_timeout')).toBe(true);
  });
});

describe('shutdown does not wait for bodies that never come', () => {
  it('answers a body still arriving 503 shutting_down and exits without waiting the grace', async () => {
    const stack = await startStack({
      REQUEST_BODY_TIMEOUT_MS: '60000',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      SHUTDOWN_GRACE_MS: '20000',
    });
    try {
      const slow = await startSlowBody(stack.gateway.url);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = performance.now();
      expect(await stack.gateway.stop('SIGTERM')).toBe(0);
      expect(performance.now() - started).toBeLessThan(3000);
      const answer = await slow.closed;
      expect(answer.status).toBe(503);
      expect(answer.code).toBe('shutting_down');
    } finally {
      await stack.emulator.stop();
    }
  });
});
