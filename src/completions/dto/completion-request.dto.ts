import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { IsStopSequences } from '../../common/validation/custom-validators';
import { IsStringOrArray } from '../../common/validation/is-string-or-array';

/** A legacy text completion request; what Groq cannot honour is refused by the converter. */
export class CompletionRequestDto {
  @IsString()
  @IsNotEmpty({ message: 'model is required, e.g. groq/llama-3.3-70b-versatile' })
  model!: string;

  @IsStringOrArray({ message: 'prompt must be a string or an array of one string' })
  prompt!: string | unknown[];

  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2)
  temperature?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  top_p?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
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

  @IsOptional()
  @IsInt()
  @Min(1)
  best_of?: number;

  @IsOptional()
  @IsString()
  user?: string;
}
