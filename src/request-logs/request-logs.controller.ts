import { Controller, Delete, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditActor } from '../auth/audit-actor';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal } from '../auth/request-principal';
import { Requires } from '../auth/requires.decorator';
import { logAccessOf } from './log-access';
import type { Params } from './log-query';
import { LOG_SCHEMA_VERSION } from './log-record';
import { RequestLogsApiService } from './request-logs-api.service';

const CONTENT_TYPES = { ndjson: 'application/x-ndjson', csv: 'text/csv; charset=utf-8' };

/**
 * The request logs' admin API. A developer sees its teams' records, a caller without
 * `logs.bodies` sees them without bodies (docs/access.md).
 */
@Controller('admin')
export class RequestLogsController {
  constructor(private readonly api: RequestLogsApiService) {}

  @Get('logs')
  @Requires('logs.read')
  list(@Query() params: Params, @CurrentPrincipal() principal: Principal) {
    return this.api.list(params, logAccessOf(principal));
  }

  // Before logs/:requestId, which would take "export" as an id.
  @Get('logs/export')
  @Requires('logs.read')
  async export(
    @Query() params: Params,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { format, body } = await this.api.export(params, logAccessOf(principal));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    reply
      .header('content-type', CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="request-logs-${stamp}.${format}"`)
      .header('x-gateway-logs-schema-version', String(LOG_SCHEMA_VERSION));
    return body;
  }

  @Get('logs/:requestId')
  @Requires('logs.read')
  get(@Param('requestId') requestId: string, @CurrentPrincipal() principal: Principal) {
    return this.api.get(requestId, logAccessOf(principal));
  }

  @Delete('logs')
  @Requires('logs.delete')
  erase(
    @Req() request: FastifyRequest,
    @Query() params: Params,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.api.erase(request, params, auditActor(principal), logAccessOf(principal));
  }

  @Get('stats')
  @Requires('usage.read')
  stats(@Query() params: Params, @CurrentPrincipal() principal: Principal) {
    return this.api.stats(params, logAccessOf(principal));
  }
}
