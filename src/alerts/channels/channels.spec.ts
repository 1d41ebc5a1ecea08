import { createHmac } from 'node:crypto';

/** A payload as a receiver parses it, walked freely in the assertions below. */
interface Json {
  [key: string]: Json & Json[] & { length: number };
}
const parsed = (value: unknown) => JSON.parse(JSON.stringify(value)) as Json;
import type { AlertMessage } from '../alert-message';
import { renderLink } from '../alert-message';
import { emailContent } from './email.channel';
import { dedupKey, pagerDutyPayload } from './pagerduty.channel';
import { slackPayload } from './slack.channel';
import { teamsPayload } from './teams.channel';
import { signatureHeader, webhookPayload } from './webhook.channel';

const message: AlertMessage = {
  state: 'firing',
  ruleId: 'budget-80',
  kind: 'budget_usage',
  alertKey: 'budget-80:vk:search-team:0.8',
  scope: { virtualKey: 'search-team' },
  summary: 'virtual key search-team has spent 85.0% of its monthly budget',
  figure: 0.85,
  threshold: 0.8,
  unit: 'fraction',
  sinceMs: Date.UTC(2026, 10, 30, 12),
  details: { spentUsd: 42.5, budgetUsd: 50 },
  link: 'https://grafana.example.com/d/gw?var-key=search-team',
  source: 'gateway-7f9c',
};

describe('Slack Block Kit', () => {
  it('has a fallback text, a header, fields and a link button', () => {
    const payload = parsed(slackPayload(message));
    expect(payload.text).toBe(
      '[FIRING] budget-80: virtual key search-team has spent 85.0% of its monthly budget',
    );
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: payload.text, emoji: true },
    });
    const fields = payload.blocks[2].fields;
    expect(fields.length).toBeLessThanOrEqual(10);
    expect(fields).toContainEqual({ type: 'mrkdwn', text: '*Virtual key*\nsearch-team' });
    expect(fields).toContainEqual({ type: 'mrkdwn', text: '*Figure*\n85.0%' });
    expect(payload.blocks.at(-1)).toEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open' }, url: message.link }],
    });
  });
  it('clips a header to 150 characters', () => {
    const long = parsed(slackPayload({ ...message, summary: 'x'.repeat(400) }));
    expect(long.blocks[0].text.text.length).toBe(150);
  });
});

describe('Teams Adaptive Card', () => {
  it('is a message with one adaptive card attachment', () => {
    const payload = parsed(teamsPayload(message));
    expect(payload.type).toBe('message');
    expect(payload.attachments).toHaveLength(1);
    const { contentType, content } = payload.attachments[0];
    expect(contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(content).toMatchObject({
      type: 'AdaptiveCard',
      version: '1.4',
      actions: [{ type: 'Action.OpenUrl', url: message.link }],
    });
    expect(content.body[2].facts).toContainEqual({ title: 'Threshold', value: '80.0%' });
  });
});

describe('PagerDuty Events API v2', () => {
  it('triggers with a payload and resolves with the same dedup_key', () => {
    const trigger = parsed(pagerDutyPayload(message, 'R0UTING'));
    expect(trigger).toMatchObject({
      routing_key: 'R0UTING',
      event_action: 'trigger',
      dedup_key: dedupKey(message),
    });
    expect(trigger.payload).toMatchObject({
      summary: expect.stringContaining('[FIRING] budget-80'),
      source: 'gateway-7f9c',
      severity: 'warning',
      timestamp: '2026-11-30T12:00:00.000Z',
      class: 'budget_usage',
    });
    expect(trigger.links).toEqual([{ href: message.link, text: 'Open in the dashboard' }]);
    const resolve = pagerDutyPayload({ ...message, state: 'resolved' }, 'R0UTING');
    expect(resolve).toEqual({
      routing_key: 'R0UTING',
      event_action: 'resolve',
      dedup_key: trigger.dedup_key,
    });
  });
});

describe('generic webhook', () => {
  it('signs t.body with HMAC-SHA256', () => {
    const body = JSON.stringify(webhookPayload(message, 'id-1'));
    const header = signatureHeader('s3cret-s3cret-s3cret', body, 1_700_000_000);
    const expected = createHmac('sha256', 's3cret-s3cret-s3cret')
      .update(`1700000000.${body}`)
      .digest('hex');
    expect(header).toBe(`t=1700000000,v1=${expected}`);
    expect(JSON.parse(body)).toMatchObject({
      id: 'id-1',
      type: 'alert.firing',
      rule: { id: 'budget-80', kind: 'budget_usage' },
    });
  });
});

describe('email', () => {
  it('has the title as subject and escapes HTML', () => {
    const mail = emailContent({ ...message, summary: '<b>x</b>' });
    expect(mail.subject).toBe('[FIRING] budget-80: <b>x</b>');
    expect(mail.html).toContain('&#60;b&#62;x&#60;/b&#62;');
    expect(mail.text).toContain('Virtual key: search-team');
  });
});

describe('linkTemplate', () => {
  it('fills in the alert, URL-encoded', () => {
    expect(
      renderLink(
        'https://g.example/d?rule={rule}&key={virtualKey}&from={sinceMs}&x={other}',
        message,
      ),
    ).toBe(`https://g.example/d?rule=budget-80&key=search-team&from=${message.sinceMs}&x={other}`);
    expect(renderLink(undefined, message)).toBeUndefined();
  });
});
