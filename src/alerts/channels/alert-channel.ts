import type { ChannelKind } from '../../config/alerts-config';
import type { AlertMessage } from '../alert-message';

/** One configured destination. `send` resolves once the receiver took the message. */
export interface AlertChannel {
  readonly id: string;
  readonly kind: ChannelKind;
  /** Throws a DeliveryError saying whether another attempt can help. */
  send(message: AlertMessage): Promise<void>;
  close?(): Promise<void>;
}

/** The facts of a message as label/value pairs, in the order a person reads them. */
export function factsOf(message: AlertMessage): Array<[string, string]> {
  const facts: Array<[string, string]> = [
    ['Rule', `${message.ruleId} (${message.kind})`],
    ['State', message.state],
  ];
  if (message.scope.virtualKey) facts.push(['Virtual key', message.scope.virtualKey]);
  if (message.scope.team) facts.push(['Team', message.scope.team]);
  if (message.scope.model) facts.push(['Model', message.scope.model]);
  if (message.scope.keyId) facts.push(['Groq key', message.scope.keyId]);
  if (message.scope.store) facts.push(['Store', message.scope.store]);
  if (message.figure !== undefined)
    facts.push(['Figure', figureText(message.figure, message.unit)]);
  if (message.threshold !== undefined)
    facts.push(['Threshold', figureText(message.threshold, message.unit)]);
  facts.push(['Since', new Date(message.sinceMs).toISOString()]);
  if (message.endedAtMs !== undefined)
    facts.push(['Ended', new Date(message.endedAtMs).toISOString()]);
  facts.push(['Gateway', message.source]);
  return facts;
}

function figureText(value: number, unit: AlertMessage['unit']): string {
  if (unit === 'fraction') return `${(value * 100).toFixed(1)}%`;
  if (unit === 'ms') return `${Math.round(value)} ms`;
  if (unit === 'usd') return `$${value.toFixed(2)}`;
  return String(value);
}
