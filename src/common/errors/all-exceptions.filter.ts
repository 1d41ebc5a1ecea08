import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toAnthropicError } from '../../anthropic/anthropic-errors';
import { toGatewayError } from './internal-error';
import { sendGatewayError } from './send-error';

/**
 * One filter for every error: OpenAI's envelope on the OpenAI-compatible surface, Anthropic's on
 * the /anthropic drop-in. Internal faults are logged and answered without their details.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // The client left before the answer (its upstream call is already cancelled): there is no one
    // to answer, and nothing went wrong in the gateway.
    if (reply.raw.destroyed && !reply.raw.writableFinished) {
      this.logger.debug({ url: request.url, reqId: request.id }, 'client closed the request');
      return;
    }
    const error = toGatewayError(exception, request.method, request.url);
    if (error.status >= 500 && error.code === 'internal_error') {
      this.logger.error({ err: exception, url: request.url }, 'unhandled error');
    }
    // The Anthropic drop-in answers in Anthropic's envelope, so its SDK raises its own classes.
    const envelope = request.url.startsWith('/anthropic/')
      ? toAnthropicError(error)
      : error.toEnvelope();
    sendGatewayError(reply, error, envelope);
  }
}
