import { Global, Module } from '@nestjs/common';
import { AccessTokensService } from './tokens/access-tokens.service';
import { TokensController } from './tokens/tokens.controller';

/**
 * Access to the admin side (issue 20): personal access tokens and their routes. Global, so the
 * access guard that `@Requires` puts on any module's admin routes can resolve tokens.
 */
@Global()
@Module({
  controllers: [TokensController],
  providers: [AccessTokensService],
  exports: [AccessTokensService],
})
export class AccessModule {}
