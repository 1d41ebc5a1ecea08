import { applyDecorators } from '@nestjs/common';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * The most output tokens a request may ask for: more than any model's whole context window
 * (Groq's largest is 131,072 tokens), so a larger value (`max_tokens: 1e300`, which is an
 * integer to JavaScript) can only be a mistake and is a 400 naming the parameter, never sent on.
 */
export const MAX_OUTPUT_TOKENS = 1_048_576;

/** A token count from 1 to MAX_OUTPUT_TOKENS. */
export function IsTokenCount(): PropertyDecorator {
  return applyDecorators(
    IsInt(),
    Min(1),
    Max(MAX_OUTPUT_TOKENS, {
      message: `$property must not be greater than ${MAX_OUTPUT_TOKENS} (more than any model's context window)`,
    }),
  );
}

/** An optional token count (see IsTokenCount). */
export function IsOptionalTokenCount(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsTokenCount());
}

/** True for a token count the gateway passes on (the one-pass check of the common chat body). */
export function isTokenCount(value: unknown): boolean {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_OUTPUT_TOKENS
  );
}
