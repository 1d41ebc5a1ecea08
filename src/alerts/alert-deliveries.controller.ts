import { Controller, Get } from '@nestjs/common';
import { visibleTeams } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal } from '../auth/request-principal';
import { Requires } from '../auth/requires.decorator';
import { GovernanceService } from '../governance/governance.service';
import { alertVisible } from './alert-visibility';
import { AlertsService } from './alerts.service';

/**
 * `GET /admin/alerts/deliveries`: the last messages this replica delivered (or failed to, after
 * their retries), tests included, newest first; scoped by team as GET /admin/alerts is.
 */
@Controller('admin/alerts')
export class AlertDeliveriesController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly governance: GovernanceService,
  ) {}

  @Get('deliveries')
  @Requires('alerts.read')
  list(@CurrentPrincipal() principal: Principal) {
    const teams = visibleTeams(principal);
    const teamOf = (id: string) => this.governance.registry.byKeyId(id)?.team;
    return {
      object: 'list',
      data: this.alerts.deliveries.list().filter((d) => alertVisible(d.scope, teams, teamOf)),
    };
  }
}
