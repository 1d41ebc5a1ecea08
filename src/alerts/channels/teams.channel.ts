import { titleOf, type AlertMessage } from '../alert-message';
import { factsOf } from './alert-channel';

const COLOR = { firing: 'Attention', resolved: 'Good', test: 'Accent' } as const;

/**
 * A Microsoft Teams workflow webhook ("When a Teams webhook request is received"): a message
 * with one Adaptive Card attachment (schema 1.4), the title, the summary, a FactSet and a link.
 */
export function teamsPayload(message: AlertMessage): Record<string, unknown> {
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body: [
      {
        type: 'TextBlock',
        text: titleOf(message),
        weight: 'Bolder',
        size: 'Medium',
        color: COLOR[message.state],
        wrap: true,
      },
      { type: 'TextBlock', text: message.summary, wrap: true },
      {
        type: 'FactSet',
        facts: [
          ...factsOf(message),
          ...Object.entries(message.details).map(([k, v]) => [k, String(v)] as [string, string]),
        ].map(([title, value]) => ({ title, value })),
      },
    ],
  };
  if (message.link) card.actions = [{ type: 'Action.OpenUrl', title: 'Open', url: message.link }];
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
