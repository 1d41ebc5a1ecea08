import { Module } from '@nestjs/common';
import { AdminMeController } from './admin-me.controller';

/** The dashboard's own admin endpoints (its files are served by serve-ui.ts, outside Nest). */
@Module({
  controllers: [AdminMeController],
})
export class DashboardModule {}
