import { DynamicModule, Global, Module } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway-config';
import { AuthController } from './auth.controller';
import { AUTH_RUNTIME, type AuthRuntime } from './auth-runtime';
import { OidcSignIn } from './oidc/oidc-sign-in';
import { SamlSignIn } from './saml/saml-sign-in';
import { SAML_ACS_PATH } from './saml/saml-form-body';
import { SESSION_PRINCIPALS } from './principal';
import { MemorySessionStore } from './sessions/memory-session-store';
import { RedisSessionStore } from './sessions/redis-session-store';
import { SessionService } from './sessions/session-service';
import { SessionsAdminController } from './sessions/sessions-admin.controller';

/**
 * Sign-in to the admin side (issue 20): OIDC and SAML logins, sessions, /auth/* and
 * /admin/sessions. Without `auth:` in GATEWAY_CONFIG the module holds nothing: no routes (404),
 * no SESSION_PRINCIPALS, so the admin side answers to its keys and tokens only.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    const auth = config.auth;
    if (!auth) return { module: AuthModule };
    const runtime: AuthRuntime = {
      config: auth,
      store: config.redisUrl ? new RedisSessionStore(config.redisUrl) : new MemorySessionStore(),
      oidc: auth.oidc && new OidcSignIn(auth.oidc, `${auth.publicUrl}/auth/callback/oidc`),
      saml: auth.saml && new SamlSignIn(auth.saml, `${auth.publicUrl}${SAML_ACS_PATH}`),
    };
    return {
      module: AuthModule,
      controllers: [AuthController, SessionsAdminController],
      providers: [
        { provide: AUTH_RUNTIME, useValue: runtime },
        SessionService,
        { provide: SESSION_PRINCIPALS, useExisting: SessionService },
      ],
      exports: [SESSION_PRINCIPALS],
    };
  }
}
