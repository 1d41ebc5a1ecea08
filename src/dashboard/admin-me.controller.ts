import { Controller, Get } from '@nestjs/common';
import { ROLE_PERMISSIONS } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal } from '../auth/request-principal';
import { Requires } from '../auth/requires.decorator';

/**
 * `GET /admin/me`: who the caller is and what they may do (issue 20's permission table), so the
 * dashboard shows only the pages and buttons that will not answer 403. Any signed-in principal.
 */
@Controller('admin')
export class AdminMeController {
  @Get('me')
  @Requires()
  me(@CurrentPrincipal() principal: Principal) {
    return {
      object: 'principal',
      subject: principal.subject,
      role: principal.role,
      teams: principal.teams,
      via: principal.via,
      ...(principal.email ? { email: principal.email } : {}),
      permissions: ROLE_PERMISSIONS[principal.role],
    };
  }
}
