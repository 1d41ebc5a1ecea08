import { Controller, Delete, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminGuard } from '../governance/admin/admin.guard';
import { Ungoverned } from '../common/http/ungoverned.decorator';
import type { Params } from './log-query';
import { LOG_SCHEMA_VERSION } from './log-record';
import { RequestLogsApiService } from './request-logs-api.service';

const CONTENT_TYPES = { ndjson: 'application/x-ndjson', csv: 'text/csv; charset=utf-8' };

/** The request logs' admin API, behind GATEWAY_ADMIN_KEY. */
@Controller('admin')
@Ungoverned()
@UseGuards(AdminGuard)
export class RequestLogsController {
  constructor(private readonly api: RequestLogsApiService) {}

  @Get('logs')
  list(@Query() params: Params) {
    return this.api.list(params);
  }

  // Before logs/:requestId, which would take "export" as an id.
  @Get('logs/export')
  export(@Query() params: Params, @Res({ passthrough: true }) reply: FastifyReply) {
    const { format, body } = this.api.export(params);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    reply
      .header('content-type', CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="request-logs-${stamp}.${format}"`)
      .header('x-gateway-logs-schema-version', String(LOG_SCHEMA_VERSION));
    return body;
  }

  @Get('logs/:requestId')
  get(@Param('requestId') requestId: string) {
    return this.api.get(requestId);
  }

  @Delete('logs')
  erase(@Req() request: FastifyRequest, @Query() params: Params) {
    return this.api.erase(request, params);
  }

  @Get('stats')
  stats(@Query() params: Params) {
    return this.api.stats(params);
  }
}
