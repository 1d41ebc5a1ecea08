import { IsOptionalTokenCount } from '../../common/validation/token-limits';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
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
import {
  IsJsonObject,
  IsReasoning,
  IsStopSequences,
  IsToolChoice,
} from '../../common/validation/custom-validators';
import { ChatMessageDto } from './chat-message.dto';

export class FunctionDefinitionDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsOptional()
  @IsString()
  description?: string;

  @IsOptional()
  @IsJsonObject()
  parameters?: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}

/** Function tools, and Groq's built-in tools (run by Groq on the models that have them). */
export const TOOL_TYPES = ['function', 'browser_search', 'code_interpreter'] as const;

export class ToolDto {
  @IsIn(TOOL_TYPES, { message: `type must be one of ${TOOL_TYPES.join(', ')}` })
  type!: (typeof TOOL_TYPES)[number];

  @ValidateIf((tool: ToolDto) => tool.type === 'function')
  @IsObject()
  @ValidateNested()
  @Type(() => FunctionDefinitionDto)
  function?: FunctionDefinitionDto;
}

export class JsonSchemaFormatDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsOptional()
  @IsString()
  description?: string;

  @IsOptional()
  @IsJsonObject()
  schema?: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}

export const RESPONSE_FORMAT_TYPES = ['text', 'json_object', 'json_schema'] as const;

export class ResponseFormatDto {
  @IsIn(RESPONSE_FORMAT_TYPES, {
    message: `type must be one of ${RESPONSE_FORMAT_TYPES.join(', ')}`,
  })
  type!: (typeof RESPONSE_FORMAT_TYPES)[number];

  @ValidateIf((format: ResponseFormatDto) => format.type === 'json_schema')
  @IsObject({ message: 'json_schema is required when type is json_schema' })
  @ValidateNested()
  @Type(() => JsonSchemaFormatDto)
  json_schema?: JsonSchemaFormatDto;
}

export class StreamOptionsDto {
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;
}

export const REASONING_EFFORT_VALUES = ['none', 'default', 'low', 'medium', 'high'] as const;

/**
 * What a chat completion request may contain. Fields not listed are allowed through validation;
 * the Groq parameter table drops and reports them.
 */
export class ChatCompletionRequestDto {
  @IsString()
  @IsNotEmpty({ message: 'model is required, e.g. groq/openai/gpt-oss-120b' })
  model!: string;

  // class-validator runs a property's rules bottom-up; the shape check must come first.
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  @IsObject({ each: true, message: 'each message must be an object' })
  @ArrayMinSize(1, { message: 'messages must contain at least one message' })
  @IsArray({ message: 'messages must be an array of messages' })
  messages!: ChatMessageDto[];

  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto | null;

  @IsOptionalTemperature(2)
  temperature?: number;

  @IsOptionalTopP()
  top_p?: number;

  @IsOptionalTokenCount()
  max_tokens?: number;

  @IsOptionalTokenCount()
  max_completion_tokens?: number;

  @IsOptional()
  @IsStopSequences(4)
  stop?: string | string[];

  @IsOptional()
  @IsArray()
  @IsObject({ each: true, message: 'each tool must be an object' })
  @ValidateNested({ each: true })
  @Type(() => ToolDto)
  tools?: ToolDto[];

  @IsOptional()
  @IsToolChoice()
  tool_choice?: unknown;

  @IsOptional()
  @IsString()
  user?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ResponseFormatDto)
  response_format?: ResponseFormatDto;

  @IsOptional()
  @IsReasoning()
  reasoning?: string | { effort?: string };

  /** Models to try in order when this one fails after its retries (the gateway's extension). */
  @IsOptional()
  @IsString({ each: true, message: 'each fallback must be a model name' })
  @ArrayMaxSize(5, { message: 'fallbacks may name at most 5 models' })
  @IsArray({ message: 'fallbacks must be an array of model names' })
  fallbacks?: string[];

  @IsOptional()
  @IsIn(REASONING_EFFORT_VALUES, {
    message: `reasoning_effort must be one of ${REASONING_EFFORT_VALUES.join(', ')}`,
  })
  reasoning_effort?: string;
}
