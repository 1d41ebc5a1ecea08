import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { GatewayError } from '../errors/gateway-error';
import { toGatewayError } from '../errors/internal-error';
import { sendGatewayError } from '../errors/send-error';
import { pathOf } from './path-of';

/**
 * Node's HTTP parser rejects some requests before any framework sees them: headers too large
 * (431), malformed request lines (400), a request too slow to arrive (408). Answer those in OpenAI's
 * envelope too, then close the connection, as Node itself would.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const message =
    status === 431
      ? 'Request headers are larger than the gateway accepts. Send fewer or smaller headers.'
      : status === 408
        ? 'The request took too long to arrive. Try again.'
        : 'The request could not be parsed as HTTP. Check the client.';
  const body = JSON.stringify({
    error: { message, type: 'invalid_request_error', code: 'bad_http_request', param: null },
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * Errors Fastify's router raises before any route or hook runs, answered in OpenAI's envelope
 * rather than Fastify's own: a path that is not valid percent-encoding (`%E0%A4%A`), a path
 * parameter longer than Fastify takes. Anything else from there is the gateway's fault: a 500.
 */
export function answerFrameworkError(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header('x-request-id', request.id);
  const path = pathOf(request.url);
  if (error.code === 'FST_ERR_BAD_URL') {
    sendGatewayError(
      reply,
      new GatewayError({
        status: 400,
        message: `The request path ${JSON.stringify(path)} is not valid percent-encoding: each % must be followed by two hexadecimal digits of UTF-8. Encode the path (e.g. with encodeURIComponent) and try again.`,
        code: 'bad_http_request',
      }),
    );
  } else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendGatewayError(
      reply,
      new GatewayError({
        status: 414,
        message: `A part of the request path ${JSON.stringify(path.slice(0, 200))} is longer than the gateway accepts. Check the URL (a model id, for example, is far shorter).`,
        code: 'bad_http_request',
      }),
    );
  } else {
    sendGatewayError(reply, toGatewayError(error));
  }
}
