import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CallEvents } from '../call/call-events';
import { CLIENT_CLOSED_REQUEST } from '../call/ended-call';
import { GatewayCall } from '../call/gateway-call';
import { uuidHex } from '../call/ids';
import { traceFrom } from '../call/trace-context';
import { b3From } from '../network/b3';
import { deadlineFrom } from '../network/deadline';
import { identityText, type ClientResolver } from '../network/client-identity';
import { pathOf } from '../common/http/path-of';
import { methodNotAllowed } from '../common/http/method-not-allowed';
import { RouteMethods } from '../common/http/route-methods';
import type { ModelPrice } from '../config/governance-config';
import { GUARDRAILS_HEADER } from '../guardrails/guardrails.service';
import type { LifecycleService } from '../lifecycle/lifecycle.service';
import type { MetricsService } from '../metrics/metrics.service';
import type { TracingService } from './tracing.service';

export const OVERHEAD_HEADER = 'x-gateway-overhead-duration-ms';

/** Routes whose requests are not model traffic: probes and scrapes are not counted. */
const UNCOUNTED = /^\/(health\/|metrics$|docs)/;

export interface RequestHookDeps {
  lifecycle: LifecycleService;
  metrics: MetricsService;
  tracing: TracingService;
  events: CallEvents;
  /** A model's price (governance's), for the usage of a call Groq never reported. */
  priceOf: (model: string | undefined) => ModelPrice | undefined;
  /** Set when TRUSTED_PROXIES, mTLS or a mesh's client-cert header say who the client is. */
  client?: ClientResolver;
}

/**
 * The gateway's per-request work on Fastify, in two hooks. onRequest: echo the request id, build
 * the request's GatewayCall (trace context continued or begun, echoed back) and watch the
 * response's close, which ends the call: finished or abandoned (499), the call's one `ended`
 * event then goes to its subscribers (metrics, access log, span, usage, ...); then refuse while
 * closing (503) or answer a wrong method with 405, so those are counted like any answer. onSend:
 * the gateway's own time as a header.
 */
export function registerRequestHooks(fastify: FastifyInstance, deps: RequestHookDeps): void {
  const { lifecycle, metrics, tracing, events, priceOf, client } = deps;
  const routeMethods = new RouteMethods();
  fastify.addHook('onRoute', (route) => routeMethods.add(route.url, route.method));
  fastify.decorateRequest('call', undefined);

  /**
   * The response's close ends the call: answered in full, or left by its client (a JSON call it
   * gave up on, a stream it closed). One shared listener (no closure per request): `this` is the
   * response, which carries what it needs.
   */
  function onResponseClose(this: WatchedResponse): void {
    const { [WATCH]: watch } = this;
    if (watch.tracked) lifecycle.untrack();
    if (!watch.counted) return;
    const { request, call } = watch;
    // Behind trusted proxies the address was worked out when the request came in.
    const address = call.clientAddress ?? request.ip;
    const status = this.writableEnded ? watch.reply.statusCode : CLIENT_CLOSED_REQUEST;
    call.end(status, request.routeOptions.url ?? 'unmatched', address, performance.now());
    // Left or failed before Groq's usage: charged and reported with the gateway's estimate.
    if (call.usage === undefined) call.estimateUnreportedUsage(priceOf);
    events.emitEnded(call);
  }

  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // Refused while shutting down: still a call, counted and logged (it says the drain delay is
    // shorter than the time the mesh takes to stop sending here), but not one the drain waits for.
    const refusal = lifecycle.refusalWhileClosing(reply);
    const headers = request.headers;
    const traceparent = headerValue(headers.traceparent);
    // A request id the gateway made is random already: its digits start the trace, if one starts.
    const madeId = request.id !== headers['x-request-id'];
    const trace = traceFrom(
      traceparent,
      headerValue(headers.tracestate),
      madeId ? uuidHex(request.id) : undefined,
      traceparent ? undefined : b3From(headers),
    );
    const call = new GatewayCall(
      request.id,
      request.method,
      request.url,
      trace,
      reply,
      headers['user-agent'],
      headers[GUARDRAILS_HEADER],
    );
    request.call = call;
    call.deadlineAt = deadlineFrom(headers, call.startedAtMs);
    if (client) {
      // Known from the start, so refusals and audit lines name the caller too, not only the end.
      const address = client.address(request);
      call.clientAddress = address;
      call.addressForwarded = address !== request.raw.socket?.remoteAddress;
      const identity = client.identity(request);
      if (identity) call.clientIdentity = identityText(identity);
    }
    reply.header(
      'traceparent',
      traceparent && trace.parentId
        ? traceparent
        : `00-${trace.traceId}-${trace.spanId}-${trace.flags}`,
    );
    if (trace.tracestate) reply.header('tracestate', trace.tracestate);
    const counted = !UNCOUNTED.test(request.url);
    // Probes and scrapes: nothing to count at their end.
    if (!counted) call.ended = true;
    else {
      metrics.inFlight.inc();
      if (tracing.enabled) tracing.startRequest(call);
    }
    const tracked = !refusal && lifecycle.track(request.url);
    if (counted || tracked) {
      const raw = reply.raw as WatchedResponse;
      raw[WATCH] = { request, reply, call, counted, tracked };
      // A response closes once: `on`, not `once` (no wrapper to build and remove).
      raw.on('close', onResponseClose);
    }
    if (refusal) {
      done(refusal);
      return;
    }
    // A path the gateway serves, with the wrong method: 405 naming the right one, not 404. Its
    // call is built first, so the 405 is counted and logged like any other answer.
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

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const call = request.call;
    if (call) reply.header(OVERHEAD_HEADER, call.overheadUntil(performance.now()).toFixed(3));
    done(null, payload);
  });
}

const WATCH = Symbol('callWatch');

/** What the response's close needs to end the call, kept on the response itself. */
interface Watch {
  request: FastifyRequest;
  reply: FastifyReply;
  call: GatewayCall;
  counted: boolean;
  tracked: boolean;
}

type WatchedResponse = ServerResponse & { [WATCH]: Watch };

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
