import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GatewayError } from '../common/errors/gateway-error';
import { Ungoverned } from '../common/http/ungoverned.decorator';
import { AdminGuard } from '../governance/admin/admin.guard';
import { LOG_SCHEMA_VERSION } from './log-record';
import { parseFilter, type Params } from './log-query';
import { LogTail, MAX_TAILS } from './log-tail';

/** `GET /admin/logs/tail`: new request log records as server-sent events, as calls finish. */
@Controller('admin')
@Ungoverned()
@UseGuards(AdminGuard)
export class RequestLogsTailController {
  constructor(private readonly tail: LogTail) {}

  @Get('logs/tail')
  open(@Query() params: Params, @Res() reply: FastifyReply): void {
    // from/to make no sense for what has not happened yet; the other filters apply as in the list.
    const { fromMs: _from, toMs: _to, ...filter } = parseFilter(params);
    if (this.tail.full)
      throw new GatewayError({
        status: 429,
        message: `${MAX_TAILS} live tails are open on this gateway already; close one and retry.`,
        type: 'rate_limit_error',
        code: 'too_many_tails',
        headers: { 'retry-after': '10' },
      });
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'x-request-id': String(reply.request.id),
      'x-gateway-logs-schema-version': String(LOG_SCHEMA_VERSION),
    });
    this.tail.open(reply.raw, filter);
  }
}
