/** Why a message did not reach a channel, and whether trying again can help. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** 429, 5xx, timeouts and connection errors are worth another attempt; a 400 is not. */
    readonly retryable: boolean,
    /** Refused before sending: the target resolves to a private address (SSRF guard). */
    readonly refused = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** The outcome of one HTTP answer from a receiver. */
export function checkStatus(status: number, body: string): void {
  if (status >= 200 && status < 300) return;
  const excerpt = body.replace(/\s+/g, ' ').slice(0, 200);
  throw new DeliveryError(
    `the receiver answered ${status}${excerpt ? `: ${excerpt}` : ''}`,
    status === 408 || status === 429 || status >= 500,
  );
}
