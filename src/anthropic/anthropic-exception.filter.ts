import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { answerError } from '../errors/answer-error';
import { toAnthropicError } from './anthropic-errors';

/**
 * The Anthropic drop-in's filter, on its controllers only: errors in Anthropic's envelope, so its
 * SDK raises its own classes (`RateLimitError`, `AuthenticationError`, ...).
 */
@Catch()
export class AnthropicExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    answerError(exception, host, this.logger, toAnthropicError);
  }
}
