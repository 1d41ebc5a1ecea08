import type { FastifyReply } from 'fastify';
import type { GatewayError } from './gateway-error';

/** Writes the envelope unless the response is already under way (then there is nothing to do). */
export function sendGatewayError(
  reply: FastifyReply,
  error: GatewayError,
  body: object = error.toEnvelope(),
): void {
  if (reply.raw.destroyed) return;
  if (reply.sent || reply.raw.headersSent) {
    if (!reply.raw.writableEnded) reply.raw.destroy();
    return;
  }
  reply
    .status(error.status)
    .headers(error.headers)
    .header('content-type', 'application/json; charset=utf-8')
    .send(body);
}
