import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GovernanceService } from './governance.service';
import { UNGOVERNED } from './ungoverned.decorator';

/**
 * Global once governance is on (GovernanceModule registers it only then): every route needs a
 * virtual key unless marked @Ungoverned(). New endpoints are governed without anyone remembering
 * to ask.
 */
@Injectable()
export class GovernanceGuard implements CanActivate {
  constructor(
    private readonly governance: GovernanceService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const ungoverned = this.reflector.getAllAndOverride<boolean>(UNGOVERNED, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (ungoverned) return true;
    const http = context.switchToHttp();
    return this.governance
      .admit(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>())
      .then(() => true);
  }
}
