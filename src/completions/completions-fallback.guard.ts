import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../common/errors/gateway-error';
import type { AllConfig } from '../config/gateway-config';

export const FALLBACK_HEADER = 'x-litellm-fallback';

/**
 * Groq has no text completions endpoint. The gateway converts one to chat only when the caller
 * asks for it with `x-litellm-fallback: true`, or the operator turned the conversion on for all.
 */
@Injectable()
export class CompletionsFallbackGuard implements CanActivate {
  private readonly always: boolean;

  constructor(config: ConfigService<AllConfig, true>) {
    this.always = config.get('gateway', { infer: true }).completions.convertWithoutHeader;
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers[FALLBACK_HEADER];
    if (this.always || asksForConversion(header)) return true;
    throw new GatewayError({
      status: 400,
      message: `text completions is not supported by groq provider. Send the header '${FALLBACK_HEADER}: true' to have the gateway convert the request to a chat completion (n=1, no streaming), or use /v1/chat/completions.`,
      code: 'unsupported_operation',
    });
  }
}

/**
 * `true` in any letter case; a header sent twice reaches Node as `true, true` (or as an array for
 * some clients). Anything else, `false` and `1` included, does not ask.
 */
export function asksForConversion(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const values = (Array.isArray(header) ? header.join(',') : header).split(',');
  return values.every((value) => value.trim().toLowerCase() === 'true');
}
