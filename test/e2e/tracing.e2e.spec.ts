import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

/** A stand-in OpenTelemetry collector: takes OTLP/HTTP JSON and keeps the spans. */
async function startCollector(): Promise<{
  url: string;
  spans: OtlpSpan[];
  close: () => Promise<void>;
}> {
  const spans: OtlpSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const resource of payload.resourceSpans)
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

describe('OpenTelemetry tracing', () => {
  it("exports one server span per request, in the caller's trace, parent of the upstream call", async () => {
    const collector = await startCollector();
    const stack = await startStack({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'gateway-under-test',
    });
    try {
      const traceparent = '00-5bf92f3577b34da6a3ce929d0e0e4736-10f067aa0ba902b7-01';
      const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'traced' }] }),
      });
      expect(response.status).toBe(200);
      const upstreamTraceparent = String(stack.emulator.chatRequests()[0].headers.traceparent);
      await stack.gateway.stop();

      const span = collector.spans.find((s) => s.name === 'POST /v1/chat/completions');
      expect(span).toBeDefined();
      expect(span?.traceId).toBe('5bf92f3577b34da6a3ce929d0e0e4736');
      expect(span?.parentSpanId).toBe('10f067aa0ba902b7');
      expect(upstreamTraceparent).toBe(`00-${span?.traceId}-${span?.spanId}-01`);
      expect(attribute(span as OtlpSpan, 'http.response.status_code')).toBe(200);
      expect(attribute(span as OtlpSpan, 'gen_ai.request.model')).toBe(MODEL);
      expect(Number(attribute(span as OtlpSpan, 'gen_ai.usage.output_tokens'))).toBeGreaterThan(0);
    } finally {
      await stack.emulator.stop();
      await collector.close();
    }
  });
});
