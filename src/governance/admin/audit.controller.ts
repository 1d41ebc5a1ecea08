import { Controller, Get, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { auditActor } from '../../auth/audit-actor';
import type { Principal } from '../../auth/principal';
import { CurrentPrincipal } from '../../auth/request-principal';
import { Requires } from '../../auth/requires.decorator';
import { requestOrigin } from '../audit-log';
import { GovernanceService } from '../governance.service';
import { auditPage, parseAuditQuery } from './audit-query';
import type { Params } from '../../request-logs/log-query';

/**
 * `GET /admin/audit` (issue 20: the auditor "reads the audit log"): this replica's newest audit
 * lines, newest first, filtered and paged like /admin/logs. `audit.read`: admin and auditor.
 */
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly governance: GovernanceService) {}

  @Get()
  @Requires('audit.read')
  list(
    @Req() request: FastifyRequest,
    @Query() params: Params,
    @CurrentPrincipal() principal: Principal,
  ) {
    const query = parseAuditQuery(params);
    const audit = this.governance.audit;
    const page = auditPage(audit.recent, query);
    // Reading the audit log is itself audited (written after the page is taken).
    audit.write({
      action: 'audit.read',
      ...auditActor(principal),
      outcome: 'ok',
      status: 200,
      ...requestOrigin(request),
    });
    return page;
  }
}
