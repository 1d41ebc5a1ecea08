import { titleOf, type AlertMessage } from '../alert-message';
import { factsOf } from './alert-channel';

const EMOJI = {
  firing: ':rotating_light:',
  resolved: ':white_check_mark:',
  test: ':information_source:',
};

/**
 * Slack incoming webhook with Block Kit: `text` is the notification's fallback, `blocks` holds
 * a header, the facts as section fields (at most 10, each under 2,000 characters), the summary,
 * and a button to the alert's link.
 */
export function slackPayload(message: AlertMessage): Record<string, unknown> {
  const title = titleOf(message);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, 150), emoji: true } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`${EMOJI[message.state]} ${message.summary}`, 3000) },
    },
    {
      type: 'section',
      fields: factsOf(message)
        .slice(0, 10)
        .map(([label, value]) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${value}`, 2000) })),
    },
  ];
  const details = Object.entries(message.details);
  if (details.length > 0) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: clip(details.map(([k, v]) => `${k}: ${v}`).join(' · '), 3000) },
      ],
    });
  }
  if (message.link) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open' }, url: message.link }],
    });
  }
  return { text: clip(title, 3000), blocks };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
