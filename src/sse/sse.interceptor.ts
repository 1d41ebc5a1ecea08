import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { callOf } from '../call/call.decorator';
import type { Observable } from 'rxjs';
import { SSE_FORMAT, SseFormat } from './sse-format';
import { SseWriter } from './sse-writer';

/**
 * SseWriter for routes whose answer a conversion interceptor maps (Responses, text completions,
 * Anthropic messages). List it first in `@UseInterceptors(SseInterceptor, ...)`: it must be the
 * outermost, so the conversions map each emission before it is framed, and an error before the
 * first chunk still reaches the exception filter with its real status.
 */
@Injectable()
export class SseInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly writer: SseWriter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const call = callOf(context);
    const format = this.reflector.getAllAndOverride<SseFormat | undefined>(SSE_FORMAT, [
      context.getHandler(),
      context.getClass(),
    ]);
    return this.writer.answer(next.handle(), call, format);
  }
}
