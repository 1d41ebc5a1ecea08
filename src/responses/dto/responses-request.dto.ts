import { IsOptionalTokenCount } from '../../common/validation/token-limits';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsOptionalTemperature, IsOptionalTopP } from '../../common/validation/sampling';
import { IsJsonObject } from '../../common/validation/custom-validators';
import { IsStringOrArray } from '../../common/validation/is-string-or-array';

export class ResponsesToolDto {
  @IsString()
  type!: string;

  // class-validator runs a property's rules bottom-up: IsString first, so a missing name hears
  // that it is required, not "should not be empty" (here and on the text format's name).
  @ValidateIf((tool: ResponsesToolDto) => tool.type === 'function')
  @IsNotEmpty()
  @IsString({ message: 'name is required on a function tool' })
  name?: string;

  @IsOptional()
  @IsString()
  description?: string;

  @IsOptional()
  @IsJsonObject()
  parameters?: Record<string, unknown>;
}

export const TEXT_FORMAT_TYPES = ['text', 'json_object', 'json_schema'] as const;

export class ResponsesTextFormatDto {
  @IsIn(TEXT_FORMAT_TYPES, { message: `type must be one of ${TEXT_FORMAT_TYPES.join(', ')}` })
  type!: string;

  @ValidateIf((format: ResponsesTextFormatDto) => format.type === 'json_schema')
  @IsNotEmpty()
  @IsString({ message: 'name is required when type is json_schema' })
  name?: string;

  @ValidateIf((format: ResponsesTextFormatDto) => format.type === 'json_schema')
  @IsJsonObject({
    message: 'schema is required when type is json_schema and must be a JSON object',
  })
  schema?: Record<string, unknown>;
}

export class ResponsesTextDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ResponsesTextFormatDto)
  format?: ResponsesTextFormatDto;
}

export class ResponsesReasoningDto {
  @IsOptional()
  @IsString()
  effort?: string | null;
}

/** What a Responses request may contain; conversion refuses what Groq cannot honour. */
export class ResponsesRequestDto {
  @IsString()
  @IsNotEmpty({ message: 'model is required, e.g. groq/openai/gpt-oss-120b' })
  model!: string;

  @IsStringOrArray({ message: 'input must be a string or an array of input items' })
  input!: string | unknown[];

  @IsOptional()
  @IsString()
  instructions?: string;

  @IsOptionalTokenCount()
  max_output_tokens?: number;

  @IsOptionalTemperature(2)
  temperature?: number;

  @IsOptionalTopP()
  top_p?: number;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => ResponsesToolDto)
  @IsObject({ each: true, message: 'each tool must be an object' })
  @IsArray()
  tools?: ResponsesToolDto[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ResponsesTextDto)
  text?: ResponsesTextDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ResponsesReasoningDto)
  reasoning?: ResponsesReasoningDto;

  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @IsOptional()
  @IsBoolean()
  store?: boolean;

  @IsOptional()
  @IsBoolean()
  background?: boolean;

  @IsOptional()
  @IsString()
  previous_response_id?: string;

  @IsOptional()
  @IsJsonObject()
  metadata?: Record<string, string>;

  @IsOptional()
  @IsString()
  user?: string;
}
