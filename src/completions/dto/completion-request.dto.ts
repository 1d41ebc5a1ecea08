import { IsOptionalTokenCount } from '../../common/validation/token-limits';
import { IsBoolean, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { IsOptionalInteger } from '../../common/validation/integers';
import { IsOptionalTemperature, IsOptionalTopP } from '../../common/validation/sampling';
import { IsStopSequences } from '../../common/validation/custom-validators';
import { IsStringOrArray } from '../../common/validation/is-string-or-array';

/** A legacy text completion request; what Groq cannot honour is refused by the converter. */
export class CompletionRequestDto {
  @IsString()
  @IsNotEmpty({ message: 'model is required, e.g. groq/openai/gpt-oss-120b' })
  model!: string;

  @IsStringOrArray({ message: 'prompt must be a string or an array of one string' })
  prompt!: string | unknown[];

  @IsOptionalTokenCount()
  max_tokens?: number;

  @IsOptionalTemperature(2)
  temperature?: number;

  @IsOptionalTopP()
  top_p?: number;

  @IsOptionalInteger(1)
  n?: number;

  @IsOptional()
  @IsStopSequences(4)
  stop?: string | string[];

  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @IsOptional()
  @IsBoolean()
  echo?: boolean;

  @IsOptionalInteger(1)
  best_of?: number;

  @IsOptional()
  @IsString()
  user?: string;
}
