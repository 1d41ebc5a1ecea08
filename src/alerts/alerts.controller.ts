import { Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { GatewayError } from '../common/errors/gateway-error';
import { AdminGuard } from '../governance/admin/admin.guard';
import { Ungoverned } from '../common/http/ungoverned.decorator';
import { AlertsService } from './alerts.service';

/** The alerts' admin API, behind GATEWAY_ADMIN_KEY like the rest of /admin. */
@Controller('admin/alerts')
@Ungoverned()
@UseGuards(AdminGuard)
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  list() {
    return this.alerts.view();
  }

  @Post('test')
  @HttpCode(200)
  async test(@Query('channel') channel?: string) {
    if (!channel) {
      throw new GatewayError({
        status: 400,
        message: 'Name the channel to test: POST /admin/alerts/test?channel=<id>.',
        code: 'missing_channel',
        param: 'channel',
      });
    }
    const report = await this.alerts.sendTest(channel);
    if (!report) {
      throw new GatewayError({
        status: 404,
        message: `No alert channel '${channel}'. Channels are configured under alerts.channels in GATEWAY_CONFIG.`,
        code: 'channel_not_found',
        param: 'channel',
      });
    }
    return report;
  }
}
