import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Requires } from '../../auth/requires.decorator';
import { BodyValidationPipe } from '../../common/validation/body-validation.pipe';
import { AdminTeamsService } from './admin-teams.service';
import { CreateTeamDto, UpdateTeamDto } from './dto/team-request.dto';

/** Teams (issue 20): `teams.read` within scope, `teams.write` (admin) to change them. */
@Controller('admin/teams')
export class TeamsController {
  constructor(private readonly teams: AdminTeamsService) {}

  @Get()
  @Requires('teams.read')
  list(@Req() request: FastifyRequest) {
    return this.teams.list(request);
  }

  @Post()
  @Requires('teams.write')
  @HttpCode(201)
  create(
    @Req() request: FastifyRequest,
    @Body(new BodyValidationPipe(CreateTeamDto)) body: CreateTeamDto,
  ) {
    return this.teams.create(request, body);
  }

  @Get(':id')
  @Requires('teams.read')
  get(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.teams.get(request, id);
  }

  @Get(':id/usage')
  @Requires('usage.read')
  usage(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.teams.usage(request, id);
  }

  @Patch(':id')
  @Requires('teams.write')
  update(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Body(new BodyValidationPipe(UpdateTeamDto)) body: UpdateTeamDto,
  ) {
    return this.teams.update(request, id, body);
  }

  @Delete(':id')
  @Requires('teams.write')
  remove(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.teams.remove(request, id);
  }
}
