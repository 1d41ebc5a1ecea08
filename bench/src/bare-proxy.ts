import { Agent, createServer, request } from 'node:http';
import { join } from 'node:path';

/**
 * The floor a Node gateway can reach: node:http alone, no framework, no validation. It parses the
 * body, strips the `groq/` prefix from the model, sends it upstream with its own key over a
 * keep-alive agent, and pipes the answer back untouched. It pins the nextTick entry shape as the
 * gateway does, so a V8 quirk (see tick-object-shape.ts) cannot make the floor look higher.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pinTickObjectShape } = require(
  join(__dirname, '..', '..', 'dist', 'runtime', 'tick-object-shape.js'),
) as { pinTickObjectShape(): void };
pinTickObjectShape();

const upstream = new URL(process.env.UPSTREAM ?? 'http://127.0.0.1:8081');
const key = process.env.GROQ_API_KEY ?? 'gsk_bench_key';
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: { model?: string };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: string };
    } catch {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"error":{"message":"bad json"}}');
      return;
    }
    if (typeof body.model === 'string' && body.model.startsWith('groq/'))
      body.model = body.model.slice(5);
    const payload = JSON.stringify(body);
    const upstreamRequest = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: 'POST',
        path: '/openai/v1/chat/completions',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${key}`,
        },
      },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, {
          'content-type': upstreamResponse.headers['content-type'] ?? 'application/json',
        });
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"upstream failed"}}');
    });
    res.on('close', () => upstreamRequest.destroy());
    upstreamRequest.end(payload);
  });
});

server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `bare proxy listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`,
  );
});
