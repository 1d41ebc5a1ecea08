import { pathOf } from './common/http/path-of';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { CallEvents } from './call/call-events';
import { GatewayError } from './common/errors/gateway-error';
import { answerClientError } from './common/http/client-error';
import { parseJsonBody } from './common/http/json-body';
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
  configureFastify(fastify);
  fastify.addHook('onRequest', app.get(LifecycleService).onRequest);
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

function configureFastify(fastify: FastifyInstance): void {
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
  // One JSON parser for every route: strict UTF-8, bounded depth, no prototype keys.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (_request, body, done) => {
      const parsed = parseJsonBody(body as Buffer);
      if (parsed.ok) {
        done(null, parsed.value);
        return;
      }
      done(
        new GatewayError({ status: 400, message: parsed.problem, code: 'invalid_json' }),
        undefined,
      );
    },
  );
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
