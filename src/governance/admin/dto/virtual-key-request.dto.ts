import { Type } from 'class-transformer';
import { RETIRED_POLICIES, type RetiredPolicy } from '../../../providers/lifecycle/model-lifecycle';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { OmitType } from '@nestjs/swagger';

export class BudgetDto {
  @IsPositive({ message: 'budget.usd must be a positive number of US dollars' })
  @IsNumber({}, { message: 'budget.usd must be a number of US dollars' })
  usd!: number;

  @IsIn(['daily', 'monthly'], { message: 'budget.period must be daily or monthly' })
  @IsOptional()
  period?: 'daily' | 'monthly';
}

/** What an admin may set on a virtual key: every field optional, none means no limit. */
export class VirtualKeyRequestDto {
  @Matches(/^[\w.-]{1,64}$/, { message: 'id must be 1-64 letters, digits, _ . or -' })
  @IsString({ message: 'id must be a string' })
  @IsOptional()
  id?: string;

  @Matches(/^[\w.-]{1,64}$/, { message: 'team must be a team id (1-64 letters, digits, _ . or -)' })
  @IsString({ message: 'team must be a team id' })
  @IsOptional()
  team?: string;

  @MaxLength(200, { message: 'name must be at most 200 characters' })
  @IsString({ message: 'name must be a string' })
  @IsOptional()
  name?: string;

  @IsString({
    each: true,
    message: 'models must hold model ids such as groq/openai/gpt-oss-120b',
  })
  @ArrayMaxSize(200, { message: 'models may name at most 200 models' })
  @IsArray({ message: 'models must be an array of model ids' })
  @IsOptional()
  models?: string[];

  @Max(1_000_000_000, { message: 'requestsPerMinute must be at most 1000000000' })
  @Min(1, { message: 'requestsPerMinute must be at least 1' })
  @IsInt({ message: 'requestsPerMinute must be a whole number' })
  @IsOptional()
  requestsPerMinute?: number;

  @Max(1_000_000_000, { message: 'tokensPerMinute must be at most 1000000000' })
  @Min(1, { message: 'tokensPerMinute must be at least 1' })
  @IsInt({ message: 'tokensPerMinute must be a whole number' })
  @IsOptional()
  tokensPerMinute?: number;

  @ValidateNested()
  @Type(() => BudgetDto)
  @IsOptional()
  budget?: BudgetDto;

  @IsString({ each: true, message: 'guardrails must hold guardrail policy ids' })
  @ArrayMaxSize(50, { message: 'guardrails may name at most 50 policies' })
  @IsArray({ message: 'guardrails must be an array of guardrail policy ids' })
  @IsOptional()
  guardrails?: string[];

  /** Overrides `models.onRetired` for this key's calls (issue 15). */
  @IsIn(RETIRED_POLICIES, { message: `onRetired must be one of ${RETIRED_POLICIES.join(', ')}` })
  @IsOptional()
  onRetired?: RetiredPolicy;
}

/**
 * What PATCH may change on an admin-made key: the fields given replace the key's, `null` takes a
 * setting off (no limit, no budget, the global onRetired). Its id, team and key stay as they are.
 */
export class VirtualKeyUpdateDto extends OmitType(VirtualKeyRequestDto, ['id', 'team'] as const) {}
