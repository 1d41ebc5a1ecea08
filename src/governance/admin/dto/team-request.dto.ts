import { Type } from 'class-transformer';
import {
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { BudgetDto } from './virtual-key-request.dto';

/** `POST /admin/teams`: an id, a name, a budget capping the sum of its keys' spend. */
export class CreateTeamDto {
  @Matches(/^[\w.-]{1,64}$/, { message: 'id must be 1-64 letters, digits, _ . or -' })
  @IsString({ message: 'id must be a string' })
  id!: string;

  @MaxLength(200, { message: 'name must be at most 200 characters' })
  @IsString({ message: 'name must be a string' })
  @IsOptional()
  name?: string;

  @ValidateNested()
  @Type(() => BudgetDto)
  @IsOptional()
  budget?: BudgetDto;
}

/** `PATCH /admin/teams/{id}`: a new name, a new budget, or `budget: null` to remove it. */
export class UpdateTeamDto {
  @MaxLength(200, { message: 'name must be at most 200 characters' })
  @IsString({ message: 'name must be a string' })
  @IsOptional()
  name?: string;

  @ValidateNested()
  @Type(() => BudgetDto)
  @ValidateIf((_, value) => value !== null)
  @IsOptional()
  budget?: BudgetDto | null;
}
