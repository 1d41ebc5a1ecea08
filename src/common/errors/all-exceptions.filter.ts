import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toGatewayError } from './internal-error';
import { sendGatewayError } from './send-error';

/** One filter for the whole OpenAI-compatible surface: every error leaves as OpenAI's envelope. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = toGatewayError(exception, request.method, request.url);
    if (error.status >= 500 && error.code === 'internal_error') {
      this.logger.error({ err: exception, url: request.url }, 'unhandled error');
    }
    sendGatewayError(reply, error);
  }
}
