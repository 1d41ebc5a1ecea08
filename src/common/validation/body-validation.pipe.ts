import { Injectable, PipeTransform, Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { GatewayError, invalidRequest } from '../errors/gateway-error';
import { firstViolation } from './validation-error-path';

/**
 * Validates a JSON body against a class-validator DTO and hands the handler the body as sent.
 * Unknown fields are kept (not whitelisted away): the gateway reports what it drops itself.
 * The first violation becomes a 400 with its path in `param`.
 */
@Injectable()
export class BodyValidationPipe<T extends object> implements PipeTransform<unknown, T> {
  /**
   * `accepts`, when given, is a cheap check strictly narrower than the DTO: a body it takes skips
   * class-validator (the common case on the hot path); anything else is validated in full.
   */
  constructor(
    private readonly dto: Type<T>,
    private readonly accepts?: (body: Record<string, unknown>) => boolean,
  ) {}

  transform(body: unknown): T {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new GatewayError({
        status: 400,
        message:
          'Request body must be a JSON object. Send Content-Type: application/json with an object body.',
        code: 'invalid_json',
      });
    }
    if (this.accepts?.(body as Record<string, unknown>)) return body as T;
    const instance = plainToInstance(this.dto, body, { enableImplicitConversion: false });
    const violation = firstViolation(
      validateSync(instance, {
        forbidUnknownValues: false,
        stopAtFirstError: true,
        validationError: { target: false, value: false },
      }),
    );
    if (violation) throw invalidRequest(violation.message, violation.param);
    return body as T;
  }
}
