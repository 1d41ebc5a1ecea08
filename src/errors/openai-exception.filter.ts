import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { answerError } from './answer-error';
import { ErrorEnvelopes } from './error-envelopes';

/**
 * The global filter: OpenAI's envelope for the OpenAI-compatible surface and everything outside
 * a transport's own filter, including Fastify's errors before routing (there the envelope is the
 * call's API family's, registered in ErrorEnvelopes).
 */
@Catch()
@Injectable()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly envelopes: ErrorEnvelopes) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const family = host.switchToHttp().getRequest<FastifyRequest>().call?.apiFamily;
    answerError(exception, host, this.logger, this.envelopes.of(family));
  }
}
