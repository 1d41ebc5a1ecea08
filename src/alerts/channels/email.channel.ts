import { createTransport, type Transporter } from 'nodemailer';
import type { EmailChannel as EmailConfig } from '../../config/alerts-config';
import { titleOf, type AlertMessage } from '../alert-message';
import { factsOf, type AlertChannel } from './alert-channel';
import { DeliveryError } from './delivery-error';

/** Subject, plain text and HTML of one alert mail. */
export function emailContent(message: AlertMessage): {
  subject: string;
  text: string;
  html: string;
} {
  const facts = [
    ...factsOf(message),
    ...Object.entries(message.details).map(([k, v]) => [k, String(v)]),
  ];
  const text = [
    message.summary,
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...(message.link ? ['', message.link] : []),
  ].join('\n');
  const rows = facts
    .map(
      ([label, value]) =>
        `<tr><th align="left">${escape(label)}</th><td>${escape(value)}</td></tr>`,
    )
    .join('');
  const html =
    `<p>${escape(message.summary)}</p><table>${rows}</table>` +
    (message.link ? `<p><a href="${escape(message.link)}">Open</a></p>` : '');
  return { subject: titleOf(message), text, html };
}

/**
 * Email over SMTP with nodemailer: `smtps://` speaks TLS from the start, `smtp://` upgrades
 * with STARTTLS when the server offers it (`?requireTLS=true` in the URL insists on it).
 */
export class EmailChannel implements AlertChannel {
  readonly kind = 'email' as const;
  readonly id: string;
  private readonly transport: Transporter;

  constructor(private readonly config: EmailConfig) {
    this.id = config.id;
    this.transport = createTransport({
      url: config.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    } as Parameters<typeof createTransport>[0]);
  }

  async send(message: AlertMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.config.from,
        to: this.config.to,
        ...emailContent(message),
        headers: { 'x-gateway-alert': message.alertKey },
      });
    } catch (error) {
      const failure = error as { responseCode?: number; code?: string; message?: string };
      // A 5xx SMTP reply is permanent (a refused recipient); 4xx and network errors are not.
      const permanent = failure.responseCode !== undefined && failure.responseCode >= 500;
      throw new DeliveryError(
        `SMTP delivery failed (${failure.responseCode ?? failure.code ?? 'error'})`,
        !permanent,
      );
    }
  }

  async close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
