import { pathOf } from './common/http/path-of';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { CallEvents } from './call/call-events';
import { answerClientError } from './common/http/client-error';
import { bodyLimitFor } from './common/http/body-limits';
import { JsonBodyReaderOptions, readJsonBody } from './common/http/json-body-reader';
import { PendingBodies } from './common/http/pending-bodies';
import { shuttingDownError } from './common/errors/shutting-down';
import { SseWriter } from './common/sse/sse-writer';
import type { IncomingMessage } from 'node:http';
import { jsonText } from './common/http/raw-json';
import { methodNotAllowed } from './common/http/method-not-allowed';
import { RouteMethods } from './common/http/route-methods';
import { createAccessLog } from './logging/access-log';
import { mountOpenApiDocs } from './docs/openapi';
import { GovernanceService } from './governance/governance.service';
import { LifecycleService } from './lifecycle/lifecycle.service';
import { MetricsService } from './metrics/metrics.service';
import { registerRequestHooks } from './observability/request-hooks';
import { TracingService } from './observability/tracing.service';
import type { GatewayConfig } from './config/gateway-config';
import { isUnsupportedOperationUrl } from './unsupported/unsupported-operations';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the gateway: Fastify under NestJS, with the envelope for errors Nest never sees. */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Node's own deadline for a whole request to arrive, checked only every 30 s: a backstop
    // behind the gateway's body deadline (json-body-reader.ts). It also bounds the headers
    // (headersTimeout follows it, at most 60 s); Fastify's default 0 turned both off.
    requestTimeout: config.body.timeoutMs + 10_000,
    // Keep-alive sockets would otherwise hold app.close() open until they time out.
    forceCloseConnections: true,
    // Errors Node's HTTP parser raises before Fastify has a request (e.g. 431 for huge headers)
    // still answer in OpenAI's envelope.
    clientErrorHandler: answerClientError,
    // Take the caller's x-request-id when it is a sane token; otherwise make one.
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Fastify parses JSON itself; Nest would add form-body parsing, which the gateway never takes.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  // Before the request id hook, so a request refused while closing still gets an id.
  const pendingBodies = new PendingBodies(config.body.timeoutMs, config.body.maxUnfinished);
  configureFastify(fastify, config, pendingBodies);
  const lifecycle = app.get(LifecycleService);
  fastify.addHook('onRequest', lifecycle.onRequest);
  // Bodies still arriving when the listener closes will never be served: answer them now.
  lifecycle.onClosing(() => pendingBodies.abandonAll('shutting_down'));
  // Streams still open when the grace period ends are told why in-band, each one.
  lifecycle.onGraceOver(() => app.get(SseWriter).endAll(shuttingDownError()));
  const governance = app.get(GovernanceService);
  registerRequestHooks(
    fastify,
    app.get(MetricsService),
    app.get(TracingService),
    createAccessLog(config.logLevel),
    // Usage counts once the response has ended, off the response's path. A call the client left
    // counts with the status it had (200 unless an error was set), so a stream abandoned mid-way,
    // or a JSON call given up on once Groq had it, is charged its prompt at least.
    governance.enabled
      ? (request, reply) => {
          if (request.gateway?.governed) void governance.recordUsage(request, reply.statusCode);
        }
      : undefined,
    app.get(CallEvents),
  );
  mountOpenApiDocs(app);
  // No enableShutdownHooks(): Nest would close at once on SIGTERM; main.ts drains first.
  return app;
}

function configureFastify(
  fastify: FastifyInstance,
  config: GatewayConfig,
  pending: PendingBodies,
): void {
  const routeMethods = new RouteMethods();
  fastify.addHook('onRoute', (route) => routeMethods.add(route.url, route.method));
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // A path the gateway serves, with the wrong method: 405 naming the right one, not 404.
    if (request.is404) {
      const path = pathOf(request.url);
      const allowed = routeMethods.allowedFor(path);
      if (allowed.length > 0) {
        done(methodNotAllowed(request.method, path, allowed));
        return;
      }
    }
    done();
  });
  // One JSON reader for every route: size per route, depth and value count checked on each chunk
  // as it arrives, a deadline, then strict UTF-8 and no prototype keys (json-body-reader.ts).
  const readerOptions: JsonBodyReaderOptions = {
    limitFor: (url) => bodyLimitFor(url, config.bodyLimitBytes),
    maxDepth: config.body.maxDepth,
    maxValues: config.body.maxValues,
    timeoutMs: config.body.timeoutMs,
    pending,
  };
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    // Unsupported operations answer without their body: it is never read.
    if (isUnsupportedOperationUrl(request.url)) {
      done(null, undefined);
      return;
    }
    readJsonBody(
      request.url,
      request.headers['content-length'],
      payload as IncomingMessage,
      readerOptions,
      done,
    );
  });
  // Upstream answers forwarded unchanged go out as the text they came in (see raw-json.ts).
  fastify.setReplySerializer((payload) => jsonText(payload));
  // Fastify parses text/plain by default; the gateway takes JSON only.
  fastify.removeContentTypeParser('text/plain');
  // Other bodies are refused with 415 (through Nest's error handler and our filter), except on unsupported operations (multipart
  // audio uploads, say), whose answer does not depend on the body and which are never read.
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    if (isUnsupportedOperationUrl(request.url)) {
      done(null, undefined);
      return;
    }
    done(
      Object.assign(new Error('Unsupported Media Type'), {
        statusCode: 415,
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      }),
      undefined,
    );
  });
}
