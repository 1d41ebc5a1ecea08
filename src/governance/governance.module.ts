import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminController } from './admin/admin.controller';
import { AdminGuard } from './admin/admin.guard';
import { AdminKeysService } from './admin/admin-keys.service';
import { GovernanceGuard } from './governance.guard';
import { GovernanceService } from './governance.service';

/** Virtual keys, limits, budgets, the audit log and the admin API. */
@Global()
@Module({
  controllers: [AdminController],
  providers: [
    GovernanceService,
    AdminKeysService,
    AdminGuard,
    { provide: APP_GUARD, useClass: GovernanceGuard },
  ],
  exports: [GovernanceService],
})
export class GovernanceModule {}
