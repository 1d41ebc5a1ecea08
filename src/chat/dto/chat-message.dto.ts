import { Type } from 'class-transformer';
import {
  Equals,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsMessageContent } from '../../common/validation/custom-validators';

export const MESSAGE_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

export class ToolCallFunctionDto {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsString({ message: 'arguments must be a JSON-encoded string' })
  arguments!: string;
}

export class ToolCallDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @Equals('function', { message: "type must be 'function'" })
  type!: 'function';

  @IsObject()
  @ValidateNested()
  @Type(() => ToolCallFunctionDto)
  function!: ToolCallFunctionDto;
}

export class ChatMessageDto {
  @IsIn(MESSAGE_ROLES, { message: `role must be one of ${MESSAGE_ROLES.join(', ')}` })
  role!: (typeof MESSAGE_ROLES)[number];

  /** Required except on an assistant turn that only calls tools. */
  @ValidateIf(
    (message: ChatMessageDto) => !(message.role === 'assistant' && message.content == null),
  )
  @IsMessageContent()
  content?: string | Array<{ type: string; text?: string }> | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolCallDto)
  tool_calls?: ToolCallDto[];

  // class-validator runs a property's rules bottom-up: IsString first, so a missing id hears
  // that it is required, not "should not be empty".
  @ValidateIf((message: ChatMessageDto) => message.role === 'tool')
  @IsNotEmpty()
  @IsString({ message: 'tool_call_id is required on a tool message and must be a string' })
  tool_call_id?: string;
}
