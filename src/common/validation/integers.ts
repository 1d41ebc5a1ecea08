import { applyDecorators } from '@nestjs/common';
import { IsInt, IsOptional, Min } from 'class-validator';

/**
 * An optional integer of at least `min`. The type is checked first: validation stops at the
 * first failure, and `n: "x"` must hear "must be an integer", not "must not be less than 1"
 * (stacked decorators run bottom-up, which put Min first).
 */
export function IsOptionalInteger(min: number): PropertyDecorator {
  return applyDecorators(IsOptional(), IsInt(), Min(min));
}
