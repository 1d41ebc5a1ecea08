import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { GatewayCall } from './gateway-call';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's GatewayCall, set by the request hook; read it through `@Call()`. */
    call?: GatewayCall;
  }
}

/** The handler's GatewayCall: `create(@Body(...) body, @Call() call: GatewayCall)`. */
export const Call = createParamDecorator(
  (_data: unknown, context: ExecutionContext): GatewayCall | undefined =>
    context.switchToHttp().getRequest<FastifyRequest>().call,
);
