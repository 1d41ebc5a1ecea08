import { applyDecorators } from '@nestjs/common';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';

/** An optional finite number in [0, max]: OpenAI's `temperature` (max 2; Anthropic's max 1). */
export function IsOptionalTemperature(max: number): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    Min(0),
    Max(max),
  );
}

/** An optional nucleus-sampling probability in [0, 1]: `top_p`. */
export function IsOptionalTopP(): PropertyDecorator {
  return IsOptionalTemperature(1);
}
