import { Controller, Get, UseGuards } from '@nestjs/common';
import { Ungoverned } from '../common/http/ungoverned.decorator';
import { AdminGuard } from '../governance/admin/admin.guard';
import { ADMIN_KEY_PRINCIPAL, permissionsOf } from './dashboard-principal';

/** `GET /admin/me`: who the caller is and what they may do, so the dashboard shows only that. */
@Controller('admin')
@Ungoverned()
@UseGuards(AdminGuard)
export class AdminMeController {
  @Get('me')
  me() {
    const principal = ADMIN_KEY_PRINCIPAL;
    return { object: 'principal', ...principal, permissions: permissionsOf(principal) };
  }
}
