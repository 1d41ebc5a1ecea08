import type { FastifyReply } from 'fastify';

/** Response headers that tell the client what the gateway did to its request. */
export const DROPPED_PARAMS_HEADER = 'x-gateway-dropped-params';

export function reportDroppedParams(reply: FastifyReply, dropped: readonly string[]): void {
  if (dropped.length > 0) reply.header(DROPPED_PARAMS_HEADER, dropped.join(','));
}
