import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { RequestLogsModule } from '../request-logs/request-logs.module';
import { AlertDeliveriesController } from './alert-deliveries.controller';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

/** Rules over the gateway's own signals, sent to Slack, Teams, PagerDuty, email and webhooks. */
@Module({
  imports: [ProvidersModule, RequestLogsModule],
  controllers: [AlertsController, AlertDeliveriesController],
  providers: [AlertsService],
  exports: [AlertsService],
})
export class AlertsModule {}
