import { DynamicModule, Global, Module } from '@nestjs/common';
import { isGovernanceEnabled, type GovernanceConfig } from '../config/governance-config';
import { APP_GUARD } from '@nestjs/core';
import { AdminController } from './admin/admin.controller';
import { AuditController } from './admin/audit.controller';
import { AdminKeysService } from './admin/admin-keys.service';
import { AdminTeamsService } from './admin/admin-teams.service';
import { TeamsController } from './admin/teams.controller';
import { GovernanceGuard } from './governance.guard';
import { GovernanceService } from './governance.service';
import { GovernanceAdmission } from './admission.service';
import { GovernanceUsage } from './usage.service';

/**
 * Virtual keys, limits, budgets, the audit log and the admin API. The global GovernanceGuard is
 * registered only when governance is on: an open gateway then has no guard on any route, and Nest
 * skips its guard step (an execution context and awaited promises per request).
 */
@Global()
@Module({})
export class GovernanceModule {
  static forRoot(governance: GovernanceConfig): DynamicModule {
    return {
      module: GovernanceModule,
      controllers: [AdminController, TeamsController, AuditController],
      providers: [
        GovernanceService,
        GovernanceAdmission,
        GovernanceUsage,
        AdminKeysService,
        AdminTeamsService,
        ...(isGovernanceEnabled(governance)
          ? [{ provide: APP_GUARD, useClass: GovernanceGuard }]
          : []),
      ],
      exports: [GovernanceService, GovernanceAdmission],
    };
  }
}
