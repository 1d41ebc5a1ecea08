import type { ArgumentsHost, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayError } from '../common/errors/gateway-error';
import { toGatewayError } from '../common/errors/internal-error';
import { sendGatewayError } from '../common/errors/send-error';

/** How a transport writes a gateway error for its clients. */
export type ErrorEnvelope = (error: GatewayError) => object;

/**
 * What every exception filter does, in the transport's envelope: the error a client may see
 * (internal faults logged, answered without their details), recorded on the call, then sent.
 */
export function answerError(
  exception: unknown,
  host: ArgumentsHost,
  logger: Logger,
  envelope: ErrorEnvelope,
): void {
  const http = host.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const reply = http.getResponse<FastifyReply>();
  // The client left before the answer (its upstream call is already cancelled): there is no one
  // to answer, and nothing went wrong in the gateway.
  if (reply.raw.destroyed && !reply.raw.writableFinished) {
    logger.debug({ url: request.url, reqId: request.id }, 'client closed the request');
    return;
  }
  const error = toGatewayError(exception, request.method, request.url);
  if (error.status >= 500 && error.code === 'internal_error') {
    logger.error({ err: exception, url: request.url }, 'unhandled error');
  }
  if (request.call && error.code) {
    request.call.errorCode = error.code;
    request.call.errorParam = error.param ?? undefined;
  }
  sendGatewayError(reply, error, envelope(error));
}
