import type { ChannelKind } from '../../config/alerts-config';
import type { AlertMessage } from '../alert-message';
import type { AlertChannel } from './alert-channel';
import type { HttpPoster } from './http-poster';

/**
 * A channel that POSTs one JSON document per message to one URL: Slack, Teams and PagerDuty
 * differ only in the document (their pure `*Payload` functions) and the URL.
 */
export class JsonPostChannel implements AlertChannel {
  constructor(
    readonly id: string,
    readonly kind: ChannelKind,
    private readonly url: string,
    private readonly http: HttpPoster,
    private readonly payload: (message: AlertMessage) => Record<string, unknown>,
  ) {}

  async send(message: AlertMessage): Promise<void> {
    await this.http.post(this.url, JSON.stringify(this.payload(message)), {});
  }
}
