import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { apiFamilyOf } from '../call/api-family';
import { pathOf } from '../common/http/path-of';
import { answerError } from './answer-error';
import { ErrorEnvelopes } from './error-envelopes';

/**
 * The global filter: OpenAI's envelope for the OpenAI-compatible surface and everything outside
 * a transport's own filter, including Fastify's errors before routing and the request hook's (there
 * the envelope is the API family's, registered in ErrorEnvelopes).
 */
@Catch()
@Injectable()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly envelopes: ErrorEnvelopes) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    // No call when Fastify refused the request before the gateway's hook ran: its path says the family.
    const family = request.call?.apiFamily ?? apiFamilyOf(pathOf(request.url));
    answerError(exception, host, this.logger, this.envelopes.of(family));
  }
}
