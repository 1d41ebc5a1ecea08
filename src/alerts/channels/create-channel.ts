import type { ChannelConfig } from '../../config/alerts-config';
import type { AlertChannel } from './alert-channel';
import { EmailChannel } from './email.channel';
import type { HttpPoster } from './http-poster';
import { JsonPostChannel } from './json-post.channel';
import { pagerDutyPayload } from './pagerduty.channel';
import { slackPayload } from './slack.channel';
import { teamsPayload } from './teams.channel';
import { WebhookChannel } from './webhook.channel';

export function createChannel(config: ChannelConfig, http: HttpPoster): AlertChannel {
  switch (config.kind) {
    case 'slack':
      return new JsonPostChannel(config.id, 'slack', config.url, http, slackPayload);
    case 'teams':
      return new JsonPostChannel(config.id, 'teams', config.url, http, teamsPayload);
    case 'pagerduty':
      return new JsonPostChannel(config.id, 'pagerduty', config.eventsUrl, http, (message) =>
        pagerDutyPayload(message, config.routingKey),
      );
    case 'email':
      return new EmailChannel(config);
    case 'webhook':
      return new WebhookChannel(config, http);
  }
}
