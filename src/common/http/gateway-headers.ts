import type { FastifyReply } from 'fastify';
import type { ServedBy } from '../../providers/reliability/attempts';

/** Response headers that tell the client what the gateway did to its request. */
export const DROPPED_PARAMS_HEADER = 'x-gateway-dropped-params';

export function reportDroppedParams(reply: FastifyReply, dropped: readonly string[]): void {
  if (dropped.length > 0) reply.header(DROPPED_PARAMS_HEADER, dropped.join(','));
}

/** Which model and key (by id, never the key) served the call, and after how many attempts. */
export function reportServedBy(reply: FastifyReply): { onServed(servedBy: ServedBy): void } {
  return {
    onServed(servedBy) {
      if (reply.raw.headersSent) return;
      reply.header('x-gateway-model', servedBy.model);
      reply.header('x-gateway-key-id', servedBy.keyId);
      reply.header('x-gateway-attempts', String(servedBy.attempts));
    },
  };
}
