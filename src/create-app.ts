import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { CallEvents } from './call/call-events';
import { newRequestId } from './call/ids';
import { answerClientError, answerFrameworkError } from './common/http/client-error';
import { GatewayError, unsupportedMediaType } from './common/errors/gateway-error';
import { bodyLimitFor } from './common/http/body-limits';
import { JsonBodyReaderOptions, readJsonBody } from './common/http/json-body-reader';
import { PendingBodies } from './common/http/pending-bodies';
import { shuttingDownError } from './common/errors/shutting-down';
import { OpenResponses } from './lifecycle/open-responses';
import { SseWriter } from './sse/sse-writer';
import type { IncomingMessage } from 'node:http';
import { jsonText } from './common/http/raw-json';
import { mountOpenApiDocs } from './docs/openapi';
import { quietFrameworkLogs } from './logging/startup-quiet-logger';
import { logUnhandledRxErrors } from './runtime/rx-unhandled-errors';
import { LifecycleService } from './lifecycle/lifecycle.service';
import { GovernanceService } from './governance/governance.service';
import { MetricsService } from './metrics/metrics.service';
import { registerRequestHooks } from './observability/request-hooks';
import { TracingService } from './observability/tracing.service';
import type { GatewayConfig } from './config/gateway-config';
import type { SecretsRuntime } from './secrets/load-config-with-secrets';
import { isUnsupportedOperationUrl } from './unsupported/unsupported-operations';
import { httpsOptions } from './network/tls-listener';
import { clientResolver, type ClientResolver } from './network/client-identity';
import { serveUi } from './dashboard/serve-ui';
import { parseSamlForm, SAML_FORM_BODY_LIMIT, takesFormBody } from './auth/saml/saml-form-body';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the gateway: Fastify under NestJS, with the envelope for errors Nest never sees. */
export async function createGatewayApp(
  config: GatewayConfig,
  secrets?: SecretsRuntime,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, secrets),
    gatewayAdapter(config),
    {
      bufferLogs: true,
      // Fastify parses JSON itself; Nest would add form-body parsing, which the gateway never takes.
      bodyParser: false,
    },
  );
  app.useLogger(quietFrameworkLogs(app.get(Logger)));
  const runtimeLog = app.get(Logger);
  logUnhandledRxErrors((line) => runtimeLog.error(line, 'Runtime'));
  configureGatewayApp(app, config);
  mountOpenApiDocs(app);
  await serveUi(app.getHttpAdapter().getInstance());
  // No enableShutdownHooks(): Nest would close at once on SIGTERM; main.ts drains first.
  return app;
}

/** The Fastify adapter as the gateway runs it: body limit, request ids, HTTP parser errors. */
export function gatewayAdapter(config: GatewayConfig): FastifyAdapter {
  const { tls, trustedProxies } = config.network;
  return new FastifyAdapter({
    // HTTPS (HTTP/2 by ALPN, HTTP/1.1 still accepted) when TLS_CERT_FILE and TLS_KEY_FILE are set.
    ...(tls ? { http2: true, https: httpsOptions(tls) } : {}),
    // X-Forwarded-For names the client only when the peer is one of TRUSTED_PROXIES.
    ...(trustedProxies.length > 0 ? { trustProxy: trustedProxies } : {}),
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
    // And those Fastify's router raises before any route (a path that is not valid encoding).
    frameworkErrors: answerFrameworkError,
    // Take the caller's x-request-id when it is a sane token; otherwise make one.
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newRequestId();
    },
  });
}

/** The body reader, the reply serializer and the request hooks, on a created app. */
export function configureGatewayApp(app: NestFastifyApplication, config: GatewayConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const pendingBodies = new PendingBodies(config.body.timeoutMs, config.body.maxUnfinished);
  configureFastify(fastify, config, pendingBodies);
  const lifecycle = app.get(LifecycleService);
  // Bodies still arriving when the listener closes will never be served: answer them now.
  lifecycle.onClosing(() => pendingBodies.abandonAll('shutting_down'));
  // Calls still being answered when the grace period ends are answered 503 shutting_down (an
  // open stream in-band), each one.
  const openResponses = app.get(OpenResponses);
  openResponses.watch(app.getHttpServer());
  lifecycle.onGraceOver(() =>
    app.get(SseWriter).endAll(shuttingDownError(), openResponses.current()),
  );
  const governance = app.get(GovernanceService);
  registerRequestHooks(fastify, {
    lifecycle,
    metrics: app.get(MetricsService),
    tracing: app.get(TracingService),
    events: app.get(CallEvents),
    priceOf: (model) => governance.priceOf(model),
    client: clientResolverFor(config),
  });
}

function configureFastify(
  fastify: FastifyInstance,
  config: GatewayConfig,
  pending: PendingBodies,
): void {
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
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      done(unsupportedEncoding(encoding), undefined);
      return;
    }
    readJsonBody(
      request.url,
      request.headers['content-length'],
      payload as IncomingMessage,
      readerOptions,
      (error, body) => {
        // The model as the caller wrote it, for the call's record even if the body is refused.
        const model = (body as { model?: unknown } | null | undefined)?.model;
        if (request.call && typeof model === 'string') request.call.modelAsked = model;
        done(error, body);
      },
    );
  });
  // Upstream answers forwarded unchanged go out as the text they came in (see raw-json.ts).
  fastify.setReplySerializer((payload) => jsonText(payload));
  // Fastify parses text/plain by default; the gateway takes JSON only.
  fastify.removeContentTypeParser('text/plain');
  // Forms are read on the SAML ACS only (the HTTP-POST binding), with a small limit; elsewhere
  // they are refused with 415 like any other body the gateway does not take.
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: SAML_FORM_BODY_LIMIT },
    (request, body, done) => {
      if (!takesFormBody(request.url)) {
        done(isUnsupportedOperationUrl(request.url) ? null : unsupportedMediaType(), undefined);
        return;
      }
      done(null, parseSamlForm(body as string));
    },
  );
  // Other bodies are refused with 415 (through Nest's error handler and our filter), except on unsupported operations (multipart
  // audio uploads, say), whose answer does not depend on the body and which are never read.
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    if (isUnsupportedOperationUrl(request.url)) {
      done(null, undefined);
      return;
    }
    done(unsupportedMediaType(), undefined);
  });
}

/** A compressed body: read as it came it would be "not valid UTF-8", which says nothing useful. */
function unsupportedEncoding(encoding: string): GatewayError {
  return new GatewayError({
    status: 415,
    message: `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported: send the request body uncompressed (no Content-Encoding header).`,
    code: 'unsupported_media_type',
  });
}

/** Who the client is, when the network config says how to tell; undefined keeps the hot path bare. */
function clientResolverFor(config: GatewayConfig): ClientResolver | undefined {
  const { trustedProxies, meshClientCertHeader, tls } = config.network;
  if (trustedProxies.length === 0 && !meshClientCertHeader && !tls?.clientCaFile) return undefined;
  return clientResolver(trustedProxies, meshClientCertHeader);
}
