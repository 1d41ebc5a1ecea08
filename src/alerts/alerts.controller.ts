import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { visibleTeams } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal } from '../auth/request-principal';
import { Requires } from '../auth/requires.decorator';
import { GatewayError } from '../common/errors/gateway-error';
import { AlertsService } from './alerts.service';

/**
 * The alerts' admin API: `alerts.read` to see rules and state (a developer: the gateway-wide
 * alerts and its teams' virtual keys'), `alerts.write` to send a test.
 */
@Controller('admin/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @Requires('alerts.read')
  list(@CurrentPrincipal() principal: Principal) {
    return this.alerts.view(visibleTeams(principal));
  }

  @Post('test')
  @Requires('alerts.write')
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
