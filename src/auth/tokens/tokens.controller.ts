import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BodyValidationPipe } from '../../common/validation/body-validation.pipe';
import type { Principal } from '../principal';
import { CurrentPrincipal } from '../request-principal';
import { Requires } from '../requires.decorator';
import { AccessTokensService } from './access-tokens.service';
import { CreateTokenDto } from './create-token.dto';

/** Personal access tokens: anyone signed in makes and deletes their own; an admin sees all. */
@Controller('admin/tokens')
export class TokensController {
  constructor(private readonly tokens: AccessTokensService) {}

  @Post()
  @Requires('tokens.own')
  @HttpCode(201)
  create(
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Body(new BodyValidationPipe(CreateTokenDto)) body: CreateTokenDto,
  ) {
    return this.tokens.create(request, principal, body);
  }

  @Get()
  @Requires('tokens.own')
  list(
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Query('owner') owner?: string,
  ) {
    return this.tokens.list(request, principal, owner);
  }

  @Delete(':id')
  @Requires('tokens.own')
  remove(
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ) {
    return this.tokens.remove(request, principal, id);
  }
}
