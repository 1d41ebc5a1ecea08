import { IsTokenCount } from '../../common/validation/token-limits';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsOptionalTemperature, IsOptionalTopP } from '../../common/validation/sampling';
import { IsJsonObject } from '../../common/validation/custom-validators';
import { IsAnthropicMessages, IsAnthropicSystem } from './content-blocks';

export class AnthropicMessageDto {
  @IsIn(['user', 'assistant'], { message: "role must be 'user' or 'assistant'" })
  role!: 'user' | 'assistant';

  /** Checked with the whole list (IsAnthropicMessages): its rules depend on the turn's place. */
  content!: string | unknown[];
}

export class AnthropicToolDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsOptional()
  @IsString()
  description?: string;

  @IsJsonObject({ message: 'input_schema is required and must be a JSON schema object' })
  input_schema!: Record<string, unknown>;
}

export class AnthropicToolChoiceDto {
  @IsIn(['auto', 'any', 'tool', 'none'], { message: 'type must be one of auto, any, tool, none' })
  type!: string;

  // class-validator runs a property's rules bottom-up: IsString first, so a missing name hears
  // that it is required, not "should not be empty".
  @ValidateIf((choice: AnthropicToolChoiceDto) => choice.type === 'tool')
  @IsNotEmpty()
  @IsString({ message: "name is required when type is 'tool'" })
  name?: string;
}

export class AnthropicMetadataDto {
  @IsOptional()
  @IsString()
  user_id?: string;
}

/** What a prompt is made of: a token count takes this; a Messages request takes more. */
export class AnthropicPromptDto {
  @IsString()
  @IsNotEmpty({ message: 'model: Field required' })
  model!: string;

  @ValidateNested({ each: true })
  @Type(() => AnthropicMessageDto)
  @IsAnthropicMessages()
  @IsObject({ each: true, message: 'each message must be an object' })
  @ArrayMinSize(1, { message: 'messages: at least one message is required' })
  @IsArray({ message: 'messages: Field required, an array of messages' })
  messages!: AnthropicMessageDto[];

  @IsOptional()
  @IsAnthropicSystem()
  system?: string | unknown[];

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => AnthropicToolDto)
  @IsObject({ each: true, message: 'each tool must be an object' })
  @IsArray()
  tools?: AnthropicToolDto[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AnthropicToolChoiceDto)
  tool_choice?: AnthropicToolChoiceDto;
}

/** What a Messages request may contain; the converter refuses fields outside this list. */
export class AnthropicMessagesRequestDto extends AnthropicPromptDto {
  @IsDefined({ message: 'max_tokens is required: the most tokens the answer may have, e.g. 1024' })
  @IsTokenCount()
  max_tokens!: number;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  stop_sequences?: string[];

  @IsOptionalTemperature(1)
  temperature?: number;

  @IsOptionalTopP()
  top_p?: number;

  @IsOptional()
  @IsInt({ message: 'top_k must be an integer, 0 or more' })
  @Min(0, { message: 'top_k must be an integer, 0 or more' })
  top_k?: number;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AnthropicMetadataDto)
  metadata?: AnthropicMetadataDto;

  @IsOptional()
  @IsBoolean()
  stream?: boolean;
}
