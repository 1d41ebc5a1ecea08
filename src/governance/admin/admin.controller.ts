import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BodyValidationPipe } from '../../common/validation/body-validation.pipe';
import { Ungoverned } from '../../common/http/ungoverned.decorator';
import { AdminGuard } from './admin.guard';
import { AdminKeysService } from './admin-keys.service';
import { VirtualKeyRequestDto } from './dto/virtual-key-request.dto';

/** The admin API for virtual keys, behind GATEWAY_ADMIN_KEY. */
@Controller('admin/keys')
@Ungoverned()
@UseGuards(AdminGuard)
export class AdminController {
  constructor(private readonly keys: AdminKeysService) {}

  @Post()
  @HttpCode(201)
  create(
    @Req() request: FastifyRequest,
    @Body(new BodyValidationPipe(VirtualKeyRequestDto)) body: VirtualKeyRequestDto,
  ) {
    return this.keys.create(request, body);
  }

  @Get()
  list(@Req() request: FastifyRequest) {
    return this.keys.list(request);
  }

  @Get(':id')
  get(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.keys.get(request, id);
  }

  @Get(':id/usage')
  usage(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.keys.usage(request, id);
  }

  @Post(':id/rotate')
  @HttpCode(200)
  rotate(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.keys.rotate(request, id);
  }

  @Delete(':id')
  revoke(@Req() request: FastifyRequest, @Param('id') id: string) {
    return this.keys.revoke(request, id);
  }
}
