import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { GatewayCall } from '../call/gateway-call';
import { GovernanceAdmission } from './admission.service';
import { UNGOVERNED } from '../common/http/ungoverned.decorator';

/**
 * Global once governance is on (GovernanceModule registers it only then): every route needs a
 * virtual key unless marked @Ungoverned(). New endpoints are governed without anyone remembering
 * to ask. It authenticates only; model calls are admitted against their limits once validated
 * and routed (GovernanceAdmission.gate).
 */
@Injectable()
export class GovernanceGuard implements CanActivate {
  constructor(
    private readonly admission: GovernanceAdmission,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const ungoverned = this.reflector.getAllAndOverride<boolean>(UNGOVERNED, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (ungoverned) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return this.admission
      .authenticate(request.call as GatewayCall, request.headers)
      .then(() => true);
  }
}
