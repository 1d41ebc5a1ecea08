import { requestOrigin } from '../governance/audit-log';
import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import type { AllConfig, GatewayConfig } from '../config/gateway-config';
import { GovernanceService } from '../governance/governance.service';
import { presentedKey, secretMatches } from '../governance/virtual-key';
import { auditActor } from './audit-actor';
import {
  adminApiDisabled,
  notAuthenticated,
  permissionDenied,
  tokenExpired,
} from './access-errors';
import { missingPermission, type Permission } from './permissions';
import { SESSION_PRINCIPALS, type Principal, type SessionPrincipals } from './principal';
import { requestPrincipal, setRequestPrincipal } from './request-principal';
import { REQUIRED_PERMISSIONS } from './required-permissions';
import { AccessTokensService } from './tokens/access-tokens.service';

/** The break-glass principal of GATEWAY_ADMIN_KEY. */
export const ADMIN_KEY_PRINCIPAL: Principal = Object.freeze({
  subject: 'admin-key',
  role: 'admin',
  teams: Object.freeze([]) as readonly string[],
  via: 'admin_key',
});

/**
 * Every admin route's guard (through `@Requires`): resolves the caller in order GATEWAY_ADMIN_KEY
 * (constant-time) -> personal access token -> session, then checks the route's permissions
 * against the caller's role. A presented bearer that is neither the admin key nor a live token is
 * a 401 (the session is not asked then). Every refusal is an audit line.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly config: GatewayConfig;

  constructor(
    configService: ConfigService<AllConfig, true>,
    private readonly reflector: Reflector,
    private readonly governance: GovernanceService,
    private readonly tokens: AccessTokensService,
    @Optional() @Inject(SESSION_PRINCIPALS) private readonly sessions?: SessionPrincipals,
  ) {
    this.config = configService.get('gateway', { infer: true });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const required =
      this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSIONS, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    const principal = requestPrincipal(request) ?? (await this.resolve(request));
    setRequestPrincipal(request, principal);
    const missing = missingPermission(principal.role, required);
    if (missing === undefined) return true;
    this.governance.audit.write({
      action: 'access.denied',
      ...auditActor(principal),
      permission: missing,
      outcome: 'denied',
      status: 403,
      code: 'permission_denied',
      ...requestOrigin(request),
    });
    throw permissionDenied(principal, missing);
  }

  private async resolve(request: FastifyRequest): Promise<Principal> {
    // Read per request: a GATEWAY_ADMIN_KEY rotated in a secret manager applies without a restart.
    const adminKeySha256 = this.config.governance.adminKeySha256;
    if (!adminKeySha256 && !this.sessions) throw adminApiDisabled();
    const presented = presentedKey(request.headers);
    if (presented !== undefined) {
      if (adminKeySha256 && secretMatches(presented, adminKeySha256)) return ADMIN_KEY_PRINCIPAL;
      const token = await this.tokens.lookup(presented);
      if (token.kind === 'valid') return token.principal;
      if (token.kind === 'expired') {
        this.audit401(request, 'token_expired', `token:${token.record.id}`);
        throw tokenExpired();
      }
      this.refuse(request, 'invalid_credential');
    }
    const session = await this.sessions?.principalOf(request);
    if (session) return session;
    this.refuse(request, 'no_credential');
  }

  private refuse(request: FastifyRequest, reason: string): never {
    this.audit401(request, reason, null);
    throw notAuthenticated(this.sessions !== undefined);
  }

  private audit401(request: FastifyRequest, reason: string, actor: string | null): void {
    this.governance.audit.write({
      action: 'admin.auth',
      actor,
      outcome: 'denied',
      status: 401,
      reason,
      ...requestOrigin(request),
    });
  }
}
