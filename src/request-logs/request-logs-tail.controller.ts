import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GatewayError } from '../common/errors/gateway-error';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal } from '../auth/request-principal';
import { Requires } from '../auth/requires.decorator';
import { logAccessOf } from './log-access';
import { LOG_SCHEMA_VERSION } from './log-record';
import { parseFilter, type Params } from './log-query';
import { MAX_TAILS } from '../config/request-logs-config';
import { LogTail } from './log-tail';

/** `GET /admin/logs/tail`: new request log records as server-sent events, as calls finish. */
@Controller('admin')
export class RequestLogsTailController {
  constructor(private readonly tail: LogTail) {}

  @Get('logs/tail')
  @Requires('logs.read')
  open(
    @Query() params: Params,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ): void {
    // from/to make no sense for what has not happened yet; the other filters apply as in the list.
    const { fromMs: _from, toMs: _to, ...filter } = parseFilter(params);
    // Counted per person: the tails of the tokens someone made are theirs.
    const caller = principal.accountable ?? principal.subject;
    const refusal = this.tail.refusal(caller);
    if (refusal)
      throw new GatewayError({
        status: 429,
        message:
          refusal === 'replica'
            ? `${MAX_TAILS} live tails are open on this gateway already; close one and retry.`
            : `You have ${this.tail.maxPerCaller} live tails open on this gateway already (LOGS_TAIL_MAX_PER_CALLER); close one and retry.`,
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
    // A developer's tail carries its own teams' calls only, as its list does; without
    // logs.bodies, free text does not search bodies.
    const access = logAccessOf(principal);
    this.tail.open(
      reply.raw,
      { ...filter, teams: access.teams, searchBodies: access.bodies },
      caller,
    );
  }
}
