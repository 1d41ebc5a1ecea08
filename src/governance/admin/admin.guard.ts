import { pathOf } from '../../common/http/path-of';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../common/errors/gateway-error';
import type { AllConfig, GatewayConfig } from '../../config/gateway-config';
import { GovernanceService } from '../governance.service';
import { presentedKey, secretMatches } from '../virtual-key';

/** The admin API answers only to GATEWAY_ADMIN_KEY, compared in constant time. */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly config: GatewayConfig;

  constructor(
    configService: ConfigService<AllConfig, true>,
    private readonly governance: GovernanceService,
  ) {
    this.config = configService.get('gateway', { infer: true });
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // Read per request: a GATEWAY_ADMIN_KEY rotated in a secret manager applies without a restart.
    const adminKeySha256 = this.config.governance.adminKeySha256;
    if (!adminKeySha256) {
      throw new GatewayError({
        status: 403,
        message:
          'The admin API is off. Set GATEWAY_ADMIN_KEY (or GATEWAY_ADMIN_KEY_FILE) to turn it on.',
        code: 'admin_api_disabled',
      });
    }
    const presented = presentedKey(request.headers);
    if (presented && secretMatches(presented, adminKeySha256)) return true;
    this.governance.audit.write({
      action: 'admin.auth',
      actor: null,
      outcome: 'denied',
      status: 401,
      method: request.method,
      path: pathOf(request.url),
      requestId: String(request.id),
    });
    throw new GatewayError({
      status: 401,
      message: 'The admin API needs GATEWAY_ADMIN_KEY as Authorization: Bearer <key>.',
      code: 'invalid_admin_key',
    });
  }
}
