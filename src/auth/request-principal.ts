import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';

const PRINCIPALS = new WeakMap<object, Principal>();

/** Puts the resolved principal on the request (the access guard does, once per request). */
export function setRequestPrincipal(request: FastifyRequest, principal: Principal): void {
  PRINCIPALS.set(request, principal);
}

/** The principal the access guard resolved for this request, if it ran. */
export function requestPrincipal(request: FastifyRequest): Principal | undefined {
  return PRINCIPALS.get(request);
}

/** The principal the access guard resolved; throws when used on a route without `@Requires`. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = PRINCIPALS.get(request);
  if (!principal) throw new Error('principalOf: the route has no @Requires(...) access guard');
  return principal;
}

/** Handler parameter: the caller's `Principal` (on routes guarded by `@Requires`). */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) =>
  principalOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
