import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ROLES, type Role } from '../principal';
import { MAX_TOKEN_DAYS } from './access-token';

/** `POST /admin/tokens`: a name, a role (at most the maker's), teams, a lifetime in days. */
export class CreateTokenDto {
  @MaxLength(200, { message: 'name must be at most 200 characters' })
  @MinLength(1, { message: 'name must not be empty' })
  @IsString({ message: 'name must be a string naming what the token is for' })
  name!: string;

  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: Role;

  @Matches(/^[\w.-]{1,64}$/, { each: true, message: 'teams must hold team ids' })
  @IsString({ each: true, message: 'teams must hold team ids' })
  @ArrayMaxSize(100, { message: 'teams may name at most 100 teams' })
  @IsArray({ message: 'teams must be an array of team ids' })
  @IsOptional()
  teams?: string[];

  @Max(MAX_TOKEN_DAYS, { message: `expiresInDays must be at most ${MAX_TOKEN_DAYS}` })
  @Min(1, { message: 'expiresInDays must be at least 1' })
  @IsInt({ message: 'expiresInDays must be a whole number of days' })
  @IsOptional()
  expiresInDays?: number;
}
