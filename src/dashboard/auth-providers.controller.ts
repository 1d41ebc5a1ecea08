import { Controller, Get, Header } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Ungoverned } from '../common/http/ungoverned.decorator';
import type { AllConfig } from '../config/gateway-config';

/**
 * `GET /auth/providers`: which single sign-on this gateway offers (`oidc`, `saml`; none without
 * `auth:`), so the dashboard's sign-in page shows its "Sign in with SSO" buttons. Public: it
 * names providers and their login path, nothing else.
 */
@Controller('auth')
@Ungoverned()
export class AuthProvidersController {
  private readonly providers: { id: 'oidc' | 'saml'; loginUrl: string }[];

  constructor(configService: ConfigService<AllConfig, true>) {
    const auth = configService.get('gateway', { infer: true }).auth;
    this.providers = (['oidc', 'saml'] as const)
      .filter((id) => auth?.[id])
      .map((id) => ({ id, loginUrl: `/auth/login?provider=${id}` }));
  }

  @Get('providers')
  @Header('cache-control', 'no-store')
  list() {
    return { object: 'list', data: this.providers };
  }
}
