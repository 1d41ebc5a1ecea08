import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Requires } from '../../auth/requires.decorator';
import { BodyValidationPipe } from '../../common/validation/body-validation.pipe';
import { AdminKeysService } from './admin-keys.service';
import { VirtualKeyRequestDto, VirtualKeyUpdateDto } from './dto/virtual-key-request.dto';

/** The admin API for virtual keys: `keys.read` / `keys.write`, a developer its teams' keys only. */
@Controller('admin/keys')
export class AdminController {
  constructor(private readonly keys: AdminKeysService) {}

  @Post()
  @Requires('keys.write')
  @HttpCode(201)
  create(
    @Req() request: FastifyRequest,
    @Body(new BodyValidationPipe(VirtualKeyRequestDto)) body: VirtualKeyRequestDto,
  ) {
    return this.keys.create(request, body);
  }

  @Get()
  @Requires('keys.read')
  list(@Req() request: FastifyRequest) {
    return this.keys.list(request);
  }

  @Get(':id')
  @Requires('keys.read')
  get(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.keys.get(request, id);
  }

  @Get(':id/usage')
  @Requires('keys.read')
  usage(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.keys.usage(request, id);
  }

  @Patch(':id')
  @Requires('keys.write')
  update(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Body(new BodyValidationPipe(VirtualKeyUpdateDto)) body: VirtualKeyUpdateDto,
  ) {
    return this.keys.update(request, id, body);
  }

  @Post(':id/rotate')
  @Requires('keys.write')
  @HttpCode(200)
  rotate(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.keys.rotate(request, id);
  }

  @Delete(':id')
  @Requires('keys.write')
  revoke(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.keys.revoke(request, id);
  }
}
