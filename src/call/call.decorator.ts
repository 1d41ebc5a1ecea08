import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { GatewayCall } from './gateway-call';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's GatewayCall, set by the request hook; read it through `@Call()` or callOf. */
    call?: GatewayCall;
  }
}

/**
 * The GatewayCall of the request an interceptor or guard is looking at. Every counted request has
 * one from its first hook, so routes behind guards and interceptors always find it.
 */
export function callOf(context: ExecutionContext): GatewayCall {
  return context.switchToHttp().getRequest<FastifyRequest>().call as GatewayCall;
}

/** The handler's GatewayCall: `create(@Body(...) body, @Call() call: GatewayCall)`. */
export const Call = createParamDecorator(
  (_data: unknown, context: ExecutionContext): GatewayCall | undefined => callOf(context),
);
