import type { ChannelConfig } from '../../config/alerts-config';
import type { AlertChannel } from './alert-channel';
import { EmailChannel } from './email.channel';
import type { HttpPoster } from './http-poster';
import { PagerDutyChannel } from './pagerduty.channel';
import { SlackChannel } from './slack.channel';
import { TeamsChannel } from './teams.channel';
import { WebhookChannel } from './webhook.channel';

export function createChannel(config: ChannelConfig, http: HttpPoster): AlertChannel {
  switch (config.kind) {
    case 'slack':
      return new SlackChannel(config, http);
    case 'teams':
      return new TeamsChannel(config, http);
    case 'pagerduty':
      return new PagerDutyChannel(config, http);
    case 'email':
      return new EmailChannel(config);
    case 'webhook':
      return new WebhookChannel(config, http);
  }
}
